"""The expense FilterSet the staff list page and /api/v1/expenses/ share."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from crm.core.api.filters import CrmFilterSet
from crm.expenses.models import Expense, ExpenseCategory, ExpenseStatus


class ExpenseFilter(CrmFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=ExpenseStatus.choices,
                                                 label=_("Status"))
    category = django_filters.ChoiceFilter(choices=ExpenseCategory.choices,
                                           label=_("Category"))
    owner = django_filters.NumberFilter(field_name="owner_id", label=_("Spent by"))
    account = django_filters.NumberFilter(field_name="account_id", label=_("Account"))
    opportunity = django_filters.NumberFilter(field_name="opportunity_id",
                                              label=_("Opportunity"))
    spent = django_filters.DateFromToRangeFilter(field_name="spent_on", label=_("Date"))

    class Meta:
        model = Expense
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Expense], name: str, value: str
                 ) -> QuerySet[Expense]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(description__icontains=value)
                               | Q(account__name__icontains=value))
