"""Forms of the users and roles pages (adapters: the rules are in crm.staff.services)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from crm.staff.models import RolePolicy
from tenants.users.models import Role


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.SALES_REP)


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class RolePolicyForm(forms.Form):
    discount_limit_percent = forms.DecimalField(
        label=_("Discount limit (%)"), required=False, min_value=Decimal("0"),
        max_value=Decimal("100"), max_digits=5, decimal_places=2,
        help_text=RolePolicy._meta.get_field("discount_limit_percent").help_text)
    approval_limit_amount = forms.DecimalField(
        label=_("Approval limit"), required=False, min_value=Decimal("0"), max_digits=14,
        decimal_places=2,
        help_text=RolePolicy._meta.get_field("approval_limit_amount").help_text)
