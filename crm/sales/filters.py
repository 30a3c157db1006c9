"""The opportunity FilterSet: one for the opportunity list page, /api/v1/opportunities/
and both exports (so the three never disagree). It narrows the selector's visible deals; it
never widens them."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from crm.core.api.filters import CrmFilterSet, OwnerFilter, SafeIsoDateTimeFromToRangeFilter
from crm.core.api.team_filter import TeamFilter
from crm.sales import selectors
from crm.sales.models import Opportunity, Pipeline, Stage
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

STATUS_CHOICES = [("open", _("Open")), ("won", _("Won")), ("lost", _("Lost")),
                  ("closed", _("Closed"))]


def _user_label(user: User) -> str:
    return user.get_full_name() or user.email


def _owner_choices() -> list[tuple[str, Any]]:
    # Evaluated when the page renders its <select>, never for the API.
    users = User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by(
        "first_name", "last_name", "email")
    return [("", _("Anyone")), ("me", _("Me"))] + [
        (str(user.pk), _user_label(user)) for user in users
        if can(user, Capability.MANAGE_SALES)]


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Stage) -> str:
        return f"{obj.pipeline} · {obj}"


class StageFilter(django_filters.ModelChoiceFilter):
    field_class = StageChoiceField


@extend_schema_field(OpenApiTypes.STR)
class OpportunityOwnerFilter(OwnerFilter):
    """``owner=<user id>`` or ``owner=me``."""


class OpportunityFilter(CrmFilterSet):
    page_fields = ("q", "pipeline", "stage", "owner", "status", "close_from", "close_to")

    q = django_filters.CharFilter(method="filter_q", label=_("Search"), max_length=100,
                                  help_text=_("Name or account name."))
    pipeline = django_filters.ModelChoiceFilter(
        queryset=Pipeline.objects.all(), label=_("Pipeline"), empty_label=_("All pipelines"))
    stage = StageFilter(queryset=Stage.objects.select_related("pipeline"), label=_("Stage"),
                        empty_label=_("All stages"))
    owner = OpportunityOwnerFilter(field_name="owner", mine="me", label=_("Owner"),
                                   choices=_owner_choices)
    account = django_filters.NumberFilter(field_name="account_id", label=_("Account"))
    currency = django_filters.CharFilter(field_name="currency", lookup_expr="iexact",
                                         label=_("Currency"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status",
                                         label=_("Status"), empty_label=_("Any status"))
    close_from = django_filters.DateFilter(
        field_name="close_date", lookup_expr="gte", label=_("Closing from"),
        widget=forms.DateInput(attrs={"type": "date"}))
    close_to = django_filters.DateFilter(
        field_name="close_date", lookup_expr="lte", label=_("Closing until"),
        widget=forms.DateInput(attrs={"type": "date"}))
    min_amount = django_filters.NumberFilter(field_name="amount", lookup_expr="gte",
                                             label=_("Smallest amount"))
    max_amount = django_filters.NumberFilter(field_name="amount", lookup_expr="lte",
                                             label=_("Largest amount"))
    team = TeamFilter(owner_field="owner")
    # Deals closed in a period (reports' won / lost click-throughs): closed_after/_before.
    closed = SafeIsoDateTimeFromToRangeFilter(field_name="closed_at")
    # Opportunities a lead of this campaign was converted into (campaign ROI's won deals).
    campaign = django_filters.NumberFilter(method="filter_campaign")

    class Meta:
        model = Opportunity
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Opportunity], name: str, value: str
                 ) -> QuerySet[Opportunity]:
        return selectors.opportunity_search(queryset, value)

    def filter_status(self, queryset: QuerySet[Opportunity], name: str, value: str
                      ) -> QuerySet[Opportunity]:
        return selectors.apply_opportunity_filters(
            queryset, selectors.OpportunityFilters(status=value))

    def filter_campaign(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        if value is None:
            return queryset
        if value != int(value) or not 0 < int(value) < 2**63:
            return queryset.none()
        return queryset.filter(pk__in=selectors.opportunity_ids_of_campaign(int(value)))

