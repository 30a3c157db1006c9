"""The activity FilterSet: one for the activity list page, /api/v1/activities/ and both
exports (so the three never disagree). It narrows the selector's visible activities; it
never widens them."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from crm.activities import selectors
from crm.activities.models import Activity, ActivityKind
from crm.activities.targets import TARGET_TYPES
from crm.core.api.filters import CrmFilterSet, OwnerFilter, SafeIsoDateTimeFilter


def _owner_choices() -> list[tuple[str, Any]]:
    # Evaluated when the page renders its <select>, never for the API.
    return [("", _("Any owner"))] + [(str(user.pk), user.display_name)
                                     for user in selectors.owner_choices()]


@extend_schema_field(OpenApiTypes.INT)
class ActivityOwnerFilter(OwnerFilter):
    """``owner=<user id>``."""


@extend_schema_field(OpenApiTypes.BOOL)
class CheckboxFilter(django_filters.BooleanFilter):
    """A boolean the page shows as a checkbox ("on") and the API takes as true/false."""


class ActivityFilter(CrmFilterSet):
    page_fields = ("q", "kind", "status", "owner", "mine", "date_from", "date_to")

    q = django_filters.CharFilter(method="filter_q", label=_("Search"),
                                  help_text=_("Subject or notes."))
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices, label=_("Kind"),
                                       empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(choices=[("open", _("Open")), ("done", _("Done"))],
                                         method="filter_status", label=_("Status"),
                                         empty_label=_("Open and done"))
    owner = ActivityOwnerFilter(field_name="owner", label=_("Owner"), choices=_owner_choices)
    mine = CheckboxFilter(method="filter_mine", label=_("Only mine"),
                          widget=forms.CheckboxInput)
    account = django_filters.NumberFilter(field_name="account_id", label=_("Account"))
    target_type = django_filters.ChoiceFilter(choices=[(k, k) for k in TARGET_TYPES],
                                              method="filter_target_type")
    target_id = django_filters.NumberFilter(field_name="target_id")
    date_from = django_filters.DateFilter(
        method="filter_date_from", label=_("From"),
        help_text=_("The first day (in your time zone)."),
        widget=forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(
        method="filter_date_to", label=_("To"),
        help_text=_("The last day (in your time zone)."),
        widget=forms.DateInput(attrs={"type": "date"}))
    occurred_after = SafeIsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = SafeIsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")
    due_before = SafeIsoDateTimeFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = Activity
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Activity], name: str, value: str
                 ) -> QuerySet[Activity]:
        return selectors.activity_search(queryset, value)

    def filter_status(self, queryset: QuerySet[Activity], name: str, value: str
                      ) -> QuerySet[Activity]:
        return queryset.filter(done_at__isnull=(value == "open"))

    def filter_mine(self, queryset: QuerySet[Activity], name: str, value: bool | None
                    ) -> QuerySet[Activity]:
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        return queryset.filter(owner_id=user.pk)

    def filter_date_from(self, queryset: QuerySet[Activity], name: str, value: date
                         ) -> QuerySet[Activity]:
        return selectors.activity_occurred_between(queryset, date_from=value)

    def filter_date_to(self, queryset: QuerySet[Activity], name: str, value: date
                       ) -> QuerySet[Activity]:
        return selectors.activity_occurred_between(queryset, date_to=value)

    def filter_target_type(self, queryset: QuerySet[Activity], name: str, value: str
                           ) -> QuerySet[Activity]:
        from django.contrib.contenttypes.models import ContentType

        model = TARGET_TYPES[value].model()
        if model is None:
            return queryset.none()
        return queryset.filter(target_type=ContentType.objects.get_for_model(model))
