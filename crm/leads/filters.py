"""The lead FilterSet: one for the lead list page, /api/v1/leads/ and both exports (so the
three never disagree). It narrows the selector's visible leads; it never widens them."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from crm.core.api.filters import (
    CrmFilterSet,
    OwnerFilter,
    SafeIsoDateTimeFilter,
    SafeIsoDateTimeFromToRangeFilter,
)
from crm.core.api.team_filter import TeamFilter
from crm.leads import selectors
from crm.leads.models import Campaign, Lead, LeadSource, LeadStatus

OPEN = "open"
ALL = "all"


def _owner_choices() -> list[tuple[str, Any]]:
    # Evaluated when the page renders its <select>, never for the API.
    return [("", _("Anyone")), ("mine", _("Mine")), ("queue", _("Unassigned queue"))] + [
        (str(user.pk), user.display_name) for user in selectors.lead_owner_choices()]


@extend_schema_field(OpenApiTypes.STR)
class LeadOwnerFilter(OwnerFilter):
    """``owner=<user id>``, ``owner=mine`` or ``owner=queue`` (unassigned)."""


class LeadFilter(CrmFilterSet):
    page_fields = ("q", "status", "source", "campaign", "owner")

    q = django_filters.CharFilter(method="filter_q", label=_("Search"),
                                  help_text=_("Company, name, e-mail or phone."))
    status = django_filters.ChoiceFilter(
        method="filter_status", label=_("Status"), empty_label=None,
        choices=[(OPEN, _("Open statuses")), (ALL, _("All")), *LeadStatus.choices],
        help_text=_("A status, or open (every status but converted and disqualified), or "
                    "all."))
    source = django_filters.ChoiceFilter(choices=LeadSource.choices, label=_("Source"),
                                         empty_label=_("Any source"))
    campaign = django_filters.ModelChoiceFilter(
        queryset=Campaign.objects.order_by("-start_date", "name"), label=_("Campaign"),
        empty_label=_("Any campaign"))
    owner = LeadOwnerFilter(field_name="owner", mine="mine", nobody="queue", label=_("Owner"),
                            choices=_owner_choices)
    unassigned = django_filters.BooleanFilter(field_name="owner", lookup_expr="isnull",
                                              label=_("Unassigned"))
    score_min = django_filters.NumberFilter(field_name="score", lookup_expr="gte",
                                            label=_("Lowest score"))
    created_after = SafeIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    region = django_filters.CharFilter(field_name="region", lookup_expr="iexact",
                                       label=_("Region"))
    team = TeamFilter(owner_field="owner")  # reports' click-throughs
    converted = SafeIsoDateTimeFromToRangeFilter(field_name="converted_at")  # rep KPIs

    class Meta:
        model = Lead
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        return selectors.lead_search(queryset, value)

    def filter_status(self, queryset: QuerySet[Lead], name: str, value: str
                      ) -> QuerySet[Lead]:
        if value == ALL:
            return queryset
        if value == OPEN:
            return queryset.exclude(status__in=selectors.CLOSED_LEAD_STATUSES)
        return queryset.filter(status=value)
