"""The product FilterSet the staff list page and /api/v1/products/ share."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from crm.catalog.models import PriceBook, PriceBookKind, Product
from crm.core.api.filters import CrmFilterSet, SafeIsoDateTimeFromToRangeFilter


class ProductFilter(CrmFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    family = django_filters.CharFilter(field_name="family", lookup_expr="iexact",
                                       label=_("Family"))
    active = django_filters.BooleanFilter(field_name="active", label=_("Active"))
    serialized = django_filters.BooleanFilter(field_name="serialized", label=_("Serialised"))
    currency = django_filters.CharFilter(field_name="currency", lookup_expr="iexact",
                                         label=_("Currency"))
    sku = django_filters.CharFilter(field_name="sku", lookup_expr="iexact", label=_("SKU"))
    external_id = django_filters.CharFilter(field_name="external_id",
                                            label=_("External id"))
    updated = SafeIsoDateTimeFromToRangeFilter(field_name="updated_at")

    class Meta:
        model = Product
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Product], name: str, value: str
                 ) -> QuerySet[Product]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(sku__icontains=value) | Q(name__icontains=value)
                               | Q(family__icontains=value))


class PriceBookFilter(CrmFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=PriceBookKind.choices)
    account = django_filters.NumberFilter(field_name="account_id")
    active = django_filters.BooleanFilter(field_name="active")

    class Meta:
        model = PriceBook
        fields: list[str] = []
