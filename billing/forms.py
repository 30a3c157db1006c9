from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import BillingInterval
from billing.services.grace import MAX_EXTENSION_DAYS

MAX_SEATS = 10_000


class CheckoutForm(forms.Form):
    plan = forms.ChoiceField(label=_("Plan"))
    interval = forms.ChoiceField(label=_("Billing"), choices=BillingInterval.choices,
                                 initial=BillingInterval.MONTH)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=MAX_SEATS)

    def __init__(self, *args: object, plans: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["plan"].choices = [(plan.code, plan.name) for plan in plans]


class SeatsForm(forms.Form):
    seats = forms.IntegerField(label=_("Paid seats"), min_value=1, max_value=MAX_SEATS)


class GraceExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("Extend by (days)"), min_value=1,
                              max_value=MAX_EXTENSION_DAYS, initial=7)
    reason = forms.CharField(label=_("Reason (kept in the audit log)"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))
