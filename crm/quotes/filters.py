"""The quote FilterSet the staff list page and /api/v1/quotes/ share."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from crm.core.api.filters import CrmFilterSet, SafeIsoDateTimeFromToRangeFilter
from crm.quotes.models import Quote, QuoteStatus


class QuoteFilter(CrmFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=QuoteStatus.choices,
                                                 label=_("Status"))
    account = django_filters.NumberFilter(field_name="account_id", label=_("Account"))
    opportunity = django_filters.NumberFilter(field_name="opportunity_id",
                                              label=_("Opportunity"))
    owner = django_filters.NumberFilter(field_name="owner_id", label=_("Owner"))
    currency = django_filters.CharFilter(field_name="currency", lookup_expr="iexact",
                                         label=_("Currency"))
    number = django_filters.CharFilter(field_name="number", lookup_expr="iexact",
                                       label=_("Number"))
    current = django_filters.BooleanFilter(method="filter_current",
                                           label=_("Latest revisions only"))
    valid_until = django_filters.DateFromToRangeFilter(field_name="valid_until")
    created = SafeIsoDateTimeFromToRangeFilter(field_name="created_at")
    sent = SafeIsoDateTimeFromToRangeFilter(field_name="sent_at")  # crm.reports' KPIs

    class Meta:
        model = Quote
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Quote], name: str, value: str) -> QuerySet[Quote]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(account__name__icontains=value))

    def filter_current(self, queryset: QuerySet[Quote], name: str, value: bool | None
                       ) -> QuerySet[Quote]:
        if value is None:
            return queryset
        if value:
            return queryset.exclude(status=QuoteStatus.SUPERSEDED)
        return queryset.filter(status=QuoteStatus.SUPERSEDED)
