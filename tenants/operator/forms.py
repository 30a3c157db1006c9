"""Forms of the operator console: every action carries a reason for the audit log."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import Plan
from billing.services.grace import MAX_EXTENSION_DAYS
from tenants.models import TenantStatus


def _reason() -> forms.CharField:
    return forms.CharField(label=_("Reason (kept in the audit log)"), max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class TenantFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *TenantStatus.choices])
    plan = forms.ChoiceField(label=_("Plan"), required=False)

    def __init__(self, *args: Any, plans: list[Plan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [("", _("Any plan")),
                                       *[(p.code, p.name) for p in plans]]


class ReasonForm(forms.Form):
    reason = _reason()


class GraceForm(forms.Form):
    days = forms.IntegerField(label=_("Extend by (days)"), min_value=1,
                              max_value=MAX_EXTENSION_DAYS, initial=7)
    reason = _reason()


class PlanChangeForm(forms.Form):
    plan = forms.ChoiceField(label=_("New plan"))
    reason = _reason()

    def __init__(self, *args: Any, plans: list[Plan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(p.code, p.name) for p in plans]


class DomainForm(forms.Form):
    host = forms.CharField(label=_("Custom domain"), max_length=253,
                           widget=forms.TextInput(attrs={"placeholder": "crm.example.com"}))
    reason = _reason()


FEATURE_FIELDS = ("portal", "api", "custom_domain")


class PlanForm(forms.ModelForm):
    """A plan's commercial terms; ``features`` is edited as separate fields."""

    portal = forms.BooleanField(label=_("Customer portal"), required=False)
    api = forms.BooleanField(label=_("REST API"), required=False)
    custom_domain = forms.BooleanField(label=_("Custom domains"), required=False)
    storage_gb = forms.IntegerField(label=_("Storage (GB)"), min_value=0, max_value=100_000)
    reason = _reason()

    class Meta:
        model = Plan
        fields = ["code", "name", "price_monthly", "price_yearly", "currency", "seats_included",
                  "price_per_extra_seat", "active", "sort_order"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        features = self.instance.features or {}
        for name in FEATURE_FIELDS:
            self.fields[name].initial = bool(features.get(name))
        self.fields["storage_gb"].initial = features.get("storage_gb", 5)
        if self.instance.pk:
            # The code names Stripe's Product and Price lookup keys: fixed once created.
            self.fields["code"].disabled = True
        for name in ("price_monthly", "price_yearly", "price_per_extra_seat"):
            self.fields[name].min_value = Decimal("0")
            self.fields[name].widget.attrs["min"] = "0"

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError(_("Use a three-letter currency code such as USD."))
        return currency

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("price_monthly", "price_yearly", "price_per_extra_seat"):
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("A price cannot be negative."))
        return data

    def save(self, commit: bool = False) -> Plan:
        """Fill the instance (features included) without saving: the service saves it
        after Stripe has the new prices."""
        plan = super().save(commit=False)
        features = dict(plan.features or {})
        for name in FEATURE_FIELDS:
            features[name] = bool(self.cleaned_data.get(name))
        features["storage_gb"] = self.cleaned_data["storage_gb"]
        plan.features = features
        return plan

    @property
    def changed_for_audit(self) -> list[str]:
        names = [n for n in self.changed_data if n != "reason"]
        return list(dict.fromkeys(n if n in self.Meta.fields else "features" for n in names))


class RetryForm(ReasonForm):
    pass
