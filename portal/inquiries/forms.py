"""The inquiry form: the visitor's fields, a honeypot and the signed start time."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.inquiries import spam


class InquiryForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    product_interest = forms.CharField(label=_("Product interest"), max_length=200,
                                       required=False)
    message = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea)
    # The honeypot: hidden from people by CSS, named like a field bots love to fill.
    website = forms.CharField(label=_("Leave this field empty"), required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off",
                                                            "tabindex": "-1"}))
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, min_seconds: int = 3, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.min_seconds = min_seconds
        self.initial.setdefault("started", spam.started_token())
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs.update(autocomplete="tel", type="tel")
        self.fields["company"].widget.attrs["autocomplete"] = "organization"

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.data.get("website") or "").strip())

    def clean_started(self) -> str:
        token = self.cleaned_data["started"]
        elapsed = spam.seconds_since(token)
        if elapsed is None or elapsed > spam.MAX_FORM_AGE_SECONDS:
            raise forms.ValidationError(
                _("This form has expired. Please check your details and send it again."),
                code="expired")
        if elapsed < self.min_seconds:
            raise forms.ValidationError(
                _("That was very quick. Please check your details and send the form again."),
                code="too_fast")
        return token

    def renew_started(self) -> None:
        """A fresh start time for the re-displayed form (the old one may have been refused)."""
        data = self.data.copy()
        data["started"] = spam.started_token()
        self.data = data
