"""The account and contact FilterSets: one per record type, shared by the list pages,
/api/v1/accounts/ and /api/v1/contacts/ and both exports (so the three never disagree).
They narrow the selectors' visible lists; they never widen them."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from crm.accounts import selectors
from crm.accounts.models import Account, AccountTier, AccountType, Attitude, BuyingRole, Contact
from crm.core.api.filters import (
    CrmFilterSet,
    OneOrAllSelect,
    OwnerFilter,
    SafeIsoDateTimeFromToRangeFilter,
)
from crm.core.api.team_filter import TeamFilter


@extend_schema_field(OpenApiTypes.STR)
class AccountOwnerFilter(OwnerFilter):
    """``owner=<user id>``, ``owner=me`` or ``owner=pool`` (no owner)."""


class AccountFilter(CrmFilterSet):
    page_fields = ("q", "type", "tier", "region", "tag", "owner")

    q = django_filters.CharFilter(method="filter_q", label=_("Search"),
                                  help_text=_("Name, city, phone or external id."))
    type = django_filters.MultipleChoiceFilter(
        choices=AccountType.choices, label=_("Type"), widget=OneOrAllSelect(_("All types")))
    tier = django_filters.MultipleChoiceFilter(
        choices=AccountTier.choices, label=_("Tier"), widget=OneOrAllSelect(_("All tiers")))
    region = django_filters.CharFilter(field_name="region", lookup_expr="iexact",
                                       method="filter_trimmed_iexact", label=_("Region"))
    industry = django_filters.CharFilter(field_name="industry", lookup_expr="iexact",
                                         label=_("Industry"))
    owner = AccountOwnerFilter(field_name="owner", mine="me", nobody="pool", label=_("Owner"),
                               choices=[("", _("Anyone")), ("me", _("Me")),
                                        ("pool", _("Shared pool"))])
    in_pool = django_filters.BooleanFilter(field_name="owner", lookup_expr="isnull",
                                           label=_("In the shared pool"))
    parent = django_filters.NumberFilter(field_name="parent_id", label=_("Parent account"))
    root = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull",
                                        label=_("Head offices only"))
    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag"))
    updated = SafeIsoDateTimeFromToRangeFilter(field_name="updated_at")
    created = SafeIsoDateTimeFromToRangeFilter(field_name="created_at")
    external_id = django_filters.CharFilter(field_name="external_id", label=_("External id"))
    # Reports' click-throughs (crm.reports): accounts owned in a team, without a region or
    # an industry.
    team = TeamFilter(owner_field="owner")
    no_region = django_filters.BooleanFilter(method="filter_blank", field_name="region")
    no_industry = django_filters.BooleanFilter(method="filter_blank", field_name="industry")

    class Meta:
        model = Account
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Account], name: str, value: str
                 ) -> QuerySet[Account]:
        return selectors.account_search(queryset, value)

    def filter_trimmed_iexact(self, queryset: QuerySet[Account], name: str, value: str
                              ) -> QuerySet[Account]:
        value = value.strip()
        return queryset.filter(**{f"{name}__iexact": value}) if value else queryset

    def filter_tag(self, queryset: QuerySet[Account], name: str, value: str
                   ) -> QuerySet[Account]:
        return queryset.filter(tags__contains=[value.strip()]) if value.strip() else queryset

    def filter_blank(self, queryset: QuerySet[Account], name: str, value: bool | None
                     ) -> QuerySet[Account]:
        """``no_region=true``: accounts without a region (``false``: with one)."""
        if value is None:
            return queryset
        return queryset.filter(**{name: ""}) if value else queryset.exclude(**{name: ""})


class ContactFilter(CrmFilterSet):
    page_fields = ("q", "buying_role")

    q = django_filters.CharFilter(method="filter_q", label=_("Search"),
                                  help_text=_("Name, e-mail or account name."))
    account = django_filters.NumberFilter(field_name="account_id", label=_("Account"))
    buying_role = django_filters.MultipleChoiceFilter(
        choices=BuyingRole.choices, label=_("Buying role"),
        widget=OneOrAllSelect(_("All roles")))
    attitude = django_filters.MultipleChoiceFilter(choices=Attitude.choices,
                                                   label=_("Attitude"))
    covered_by = django_filters.NumberFilter(field_name="covered_by_id", label=_("Covered by"))
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact",
                                      label=_("E-mail"))
    updated = SafeIsoDateTimeFromToRangeFilter(field_name="updated_at")
    external_id = django_filters.CharFilter(field_name="external_id", label=_("External id"))

    class Meta:
        model = Contact
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Contact], name: str, value: str
                 ) -> QuerySet[Contact]:
        return selectors.contact_search(queryset, value)
