"""Receivables forms: they parse; crm.receivables.services decides (its ValidationErrors
land on the fields through crm.core.forms.apply_service_errors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.receivables.models import Instalment
from crm.receivables.selectors import BUCKETS, GROUP_BY
from crm.receivables.services import MAX_INSTALMENTS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgingForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=DATE)
    group_by = forms.ChoiceField(label=_("Group by"), required=False,
                                 choices=[("rep", _("Rep")), ("account", _("Account"))])

    def group(self) -> str:
        value = self.cleaned_data.get("group_by") if self.is_valid() else ""
        return value if value in GROUP_BY else "rep"


class InstalmentFilterForm(forms.Form):
    as_of = forms.DateField(required=False, widget=DATE)
    bucket = forms.ChoiceField(required=False, choices=[("", _("Every bucket")), *BUCKETS])
    rep = forms.CharField(required=False)  # a user id, or "none" for orders without owner
    account = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    currency = forms.CharField(required=False, max_length=3)
    team = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def clean_rep(self) -> str:
        value = (self.cleaned_data.get("rep") or "").strip()
        if value and value != "none" and not (value.isdigit() and 0 < int(value) < 2**63):
            raise forms.ValidationError(_("Choose a rep."))
        return value


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=4)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    instalment = forms.ModelChoiceField(
        label=_("Instalment"), queryset=Instalment.objects.none(), required=False,
        empty_label=_("Oldest open instalments first"))
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def __init__(self, *args: Any, instalments: list[Instalment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instalment"]
        field.queryset = Instalment.objects.filter(pk__in=[i.pk for i in instalments])
        field.label_from_instance = lambda i: f"{i.due_on:%Y-%m-%d} · {i.label or i.pk}"


class SplitForm(forms.Form):
    count = forms.IntegerField(label=_("Instalments"), min_value=1, max_value=MAX_INSTALMENTS,
                               initial=3)
    first_due_on = forms.DateField(label=_("First due on"), widget=DATE)
    months_between = forms.IntegerField(label=_("Months between"), min_value=0, max_value=24,
                                        initial=1)


class InstalmentForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1,
                            max_value=2**63 - 1)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=4,
                                min_value=0)
    label = forms.CharField(label=_("Label"), max_length=100, required=False)


InstalmentFormSet = forms.formset_factory(InstalmentForm, extra=2, can_delete=True,
                                          max_num=MAX_INSTALMENTS, validate_max=True)


class ReceivablesSettingsForm(forms.Form):
    remind_days_before = forms.IntegerField(
        label=_("Remind days before the due date"), required=False, min_value=0,
        max_value=90, help_text=_("Empty: no reminder before the due date."))
    remind_days_after = forms.IntegerField(
        label=_("Remind days after the due date"), required=False, min_value=0,
        max_value=365, help_text=_("Empty: no reminder after the due date."))
