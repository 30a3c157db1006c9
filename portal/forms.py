"""Forms of the portal and of its staff pages. They parse input; the rules are in
portal.services."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from portal.models import MemberRole, NotificationKind, SelfRegistration
from tenants.users.models import UserKind

LANGUAGE_CHOICES = [("", _("The site's language")), ("en", "English"),
                    ("zh-hans", "简体中文")]


class PortalAuthenticationForm(AuthenticationForm):
    """E-mail and password; only portal members get in (staff sign in at /accounts/login/).
    Refusing staff after the password check keeps the answer the same as a wrong password
    for anyone probing, and staff are told where to go."""

    error_messages = {
        "invalid_login": _("E-mail or password is not correct."),
        "inactive": _("This account is inactive."),
        "not_member": _("This sign-in is for customers. Staff sign in at /accounts/login/."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail")

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if getattr(user, "kind", None) != UserKind.MEMBER:
            raise forms.ValidationError(self.error_messages["not_member"], code="not_member")


class MemberPasswordResetForm(PasswordResetForm):
    """Django's reset form, for portal members only (a staff address gets no portal link)."""

    def get_users(self, email: str) -> Any:
        return (user for user in super().get_users(email) if user.kind == UserKind.MEMBER)


class _PasswordPair(forms.Form):
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class InvitationAcceptForm(_PasswordPair):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    field_order = ["first_name", "last_name", "password1", "password2"]


class RegistrationForm(_PasswordPair):
    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    company = forms.CharField(label=_("Company"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    field_order = ["email", "first_name", "last_name", "company", "phone", "password1",
                   "password2"]


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)


class NotificationPreferencesForm(forms.Form):
    """One checkbox per notification kind: e-mail me when..."""

    def __init__(self, *args: Any, initial_choices: dict[str, bool] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in NotificationKind.choices:
            self.fields[kind] = forms.BooleanField(
                label=label, required=False,
                initial=(initial_choices or {}).get(kind, True))


class ColleagueInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Portal role"), choices=MemberRole.choices,
                             initial=MemberRole.MEMBER)
    account = forms.TypedChoiceField(label=_("Account"), coerce=int)

    def __init__(self, *args: Any, accounts: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = accounts  # type: ignore[attr-defined]


class StaffInviteForm(forms.Form):
    role = forms.ChoiceField(label=_("Portal role"), choices=MemberRole.choices,
                             initial=MemberRole.MEMBER)


class RegistrationApproveForm(forms.Form):
    """Link to a contact, or create the contact at an account (by id, from the suggestions
    or typed by the approver; visibility is checked by the view's selectors)."""

    contact = forms.IntegerField(label=_("Contact"), required=False, min_value=1)
    account = forms.IntegerField(label=_("Account (a new contact is created there)"),
                                 required=False, min_value=1)
    # Typed by the approver when the suggestions do not have it.
    contact_other = forms.IntegerField(required=False, min_value=1)
    account_other = forms.IntegerField(required=False, min_value=1)
    role = forms.ChoiceField(label=_("Portal role"), choices=MemberRole.choices,
                             initial=MemberRole.MEMBER)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["contact"] = data.get("contact") or data.get("contact_other")
        data["account"] = data.get("account") or data.get("account_other")
        if bool(data.get("contact")) == bool(data.get("account")):
            raise forms.ValidationError(
                _("Choose a contact, or an account to create the contact at."))
        return data


class RegistrationRejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the visitor)"), required=False,
                             max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class PortalSettingsForm(forms.Form):
    self_registration = forms.ChoiceField(label=_("Who may register"),
                                          choices=SelfRegistration.choices)
    admins_see_branches = forms.BooleanField(
        label=_("Customer admins see branch accounts"), required=False,
        help_text=_("A customer admin of a head office also sees the quotes, orders, assets "
                    "and service requests of its branch accounts (any depth)."))
    list_prices_public = forms.BooleanField(
        label=_("List prices are public"), required=False,
        help_text=_("Show catalog list prices to visitors who are not signed in."))
