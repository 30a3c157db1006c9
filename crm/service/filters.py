"""The FilterSets the asset and request list pages and the API share."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from crm.core.api.filters import CrmFilterSet, SafeIsoDateTimeFromToRangeFilter
from crm.service.models import (
    Asset,
    AssetStatus,
    Channel,
    RequestStatus,
    ServiceRequest,
    Severity,
)


class AssetFilter(CrmFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    account = django_filters.NumberFilter(field_name="account_id", label=_("Account"))
    product = django_filters.NumberFilter(field_name="product_id", label=_("Product"))
    parent = django_filters.NumberFilter(field_name="parent_id", label=_("Part of"))
    status = django_filters.MultipleChoiceFilter(choices=AssetStatus.choices,
                                                 label=_("Status"))
    serial_number = django_filters.CharFilter(field_name="serial_number", lookup_expr="iexact",
                                              label=_("Serial number"))
    make = django_filters.CharFilter(field_name="make", lookup_expr="iexact", label=_("Make"))
    model = django_filters.CharFilter(field_name="model", lookup_expr="iexact",
                                      label=_("Model"))
    external_id = django_filters.CharFilter(field_name="external_id", label=_("External id"))
    top_level = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull",
                                             label=_("Systems only (no components)"))
    warranty_end = django_filters.DateFromToRangeFilter(field_name="warranty_end",
                                                        label=_("Warranty ends"))
    updated = SafeIsoDateTimeFromToRangeFilter(field_name="updated_at")

    class Meta:
        model = Asset
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(serial_number__icontains=value) | Q(model__icontains=value)
                               | Q(make__icontains=value) | Q(product__name__icontains=value)
                               | Q(customer_reference__icontains=value)
                               | Q(account__name__icontains=value))


class ServiceRequestFilter(CrmFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=RequestStatus.choices,
                                                 label=_("Status"))
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices,
                                                   label=_("Severity"))
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, label=_("Channel"))
    account = django_filters.NumberFilter(field_name="account_id", label=_("Account"))
    asset = django_filters.NumberFilter(field_name="asset_id", label=_("Asset"))
    assignee = django_filters.NumberFilter(field_name="assignee_id", label=_("Assignee"))
    queue = django_filters.NumberFilter(field_name="queue_id", label=_("Queue"))
    category = django_filters.CharFilter(field_name="category", lookup_expr="iexact",
                                         label=_("Category"))
    breached = django_filters.BooleanFilter(field_name="breached", label=_("SLA breached"))
    number = django_filters.CharFilter(field_name="number", lookup_expr="iexact",
                                       label=_("Number"))
    reported = SafeIsoDateTimeFromToRangeFilter(field_name="reported_at")
    updated = SafeIsoDateTimeFromToRangeFilter(field_name="updated_at")
    product = django_filters.NumberFilter(field_name="asset__product_id", label=_("Product"))

    class Meta:
        model = ServiceRequest
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[ServiceRequest], name: str, value: str
                 ) -> QuerySet[ServiceRequest]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__iexact=value) | Q(subject__icontains=value)
                               | Q(asset__serial_number__iexact=value))
