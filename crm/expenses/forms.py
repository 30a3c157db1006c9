"""Expense forms: they parse; crm.expenses.services decides (its ValidationErrors land on
the fields through crm.core.forms.apply_service_errors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.accounts.selectors import account_visible_queryset
from crm.expenses.models import ExpenseCategory
from crm.sales.selectors import opportunity_visible
from tenants.users.models import User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "name", obj))


class ExpenseForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=4)
    currency = forms.CharField(label=_("Currency"), max_length=3)
    category = forms.ChoiceField(label=_("Category"), choices=ExpenseCategory.choices)
    spent_on = forms.DateField(label=_("Date"), widget=DATE)
    account = NamedChoiceField(label=_("Account"), queryset=None, required=False,
                               widget=forms.NumberInput,
                               help_text=_("The account's id, if the expense is for one."))
    opportunity = NamedChoiceField(label=_("Opportunity"), queryset=None, required=False,
                                   widget=forms.NumberInput,
                                   help_text=_("The opportunity's id, if it is for one."))
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    receipt = forms.FileField(label=_("Receipt"), required=False,
                              help_text=_("PDF, PNG, JPEG or WebP, at most 5 MB."),
                              widget=forms.ClearableFileInput(attrs={
                                  "accept": "application/pdf,image/png,image/jpeg,image/webp"}))

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = account_visible_queryset(viewer=viewer)
        self.fields["opportunity"].queryset = opportunity_visible(viewer=viewer)

    def service_values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        if not values.get("receipt"):
            values.pop("receipt", None)
        return values


class RejectForm(forms.Form):
    comment = forms.CharField(label=_("Why do you reject it?"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
