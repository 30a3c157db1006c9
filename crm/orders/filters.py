"""The order FilterSet the staff list page and /api/v1/orders/ share."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from crm.core.api.filters import CrmFilterSet, SafeIsoDateTimeFromToRangeFilter
from crm.core.api.team_filter import TeamFilter
from crm.orders.models import Order, OrderKind, OrderStatus


class OrderFilter(CrmFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices,
                                                 label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=OrderKind.choices, label=_("Kind"))
    account = django_filters.NumberFilter(field_name="account_id", label=_("Account"))
    owner = django_filters.NumberFilter(field_name="owner_id", label=_("Owner"))
    currency = django_filters.CharFilter(field_name="currency", lookup_expr="iexact",
                                         label=_("Currency"))
    ordered = django_filters.DateFromToRangeFilter(field_name="ordered_on",
                                                   label=_("Order date"))
    renewal = django_filters.DateFromToRangeFilter(field_name="renewal_on",
                                                   label=_("Renewal date"))
    external_id = django_filters.CharFilter(field_name="external_id", label=_("External id"))
    updated = SafeIsoDateTimeFromToRangeFilter(field_name="updated_at")
    team = TeamFilter(owner_field="owner", label=_("Team"))

    class Meta:
        model = Order
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(account__name__icontains=value))
