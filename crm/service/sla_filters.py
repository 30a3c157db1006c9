"""The FilterSets the SLA policy and service contract lists and their API share."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.core.api.filters import CrmFilterSet
from crm.service.models import ServiceContract, SlaPolicy


class SlaPolicyFilter(CrmFilterSet):
    is_default = django_filters.BooleanFilter(field_name="is_default", label=_("Tenant default"))
    around_the_clock = django_filters.BooleanFilter(field_name="around_the_clock",
                                                    label=_("24x7"))

    class Meta:
        model = SlaPolicy
        fields: list[str] = []


class ServiceContractFilter(CrmFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    account = django_filters.NumberFilter(field_name="account_id", label=_("Account"))
    sla_policy = django_filters.NumberFilter(field_name="sla_policy_id", label=_("SLA policy"))
    active = django_filters.BooleanFilter(method="filter_active", label=_("In force today"))
    ends_before = django_filters.DateFilter(field_name="ends_on", lookup_expr="lte",
                                            label=_("Ends on or before"))

    class Meta:
        model = ServiceContract
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[ServiceContract], name: str,
                 value: str) -> QuerySet[ServiceContract]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(account__name__icontains=value))

    def filter_active(self, queryset: QuerySet[ServiceContract], name: str,
                      value: bool | None) -> QuerySet[ServiceContract]:
        if value is None:
            return queryset
        today = timezone.localdate()
        in_force = Q(starts_on__lte=today, ends_on__gte=today)
        return queryset.filter(in_force) if value else queryset.exclude(in_force)
