"""Forms of the account and contact pages: parsing only; services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.accounts import selectors
from crm.accounts.models import (
    Account,
    AccountSettings,
    AccountTeamRole,
    Contact,
    NameAlias,
)
from crm.accounts.services import ACCOUNT_MERGE_FIELDS
from crm.core.forms import use_region_choices
from tenants.users.models import User, UserKind


def staff_users() -> Any:
    return User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by(
        "first_name", "last_name", "email"
    )


class AccountIdField(forms.ModelChoiceField):
    """An account chosen by id (typed, or set by the account picker): never a <select> of
    every account. The queryset is the viewer's visible accounts."""

    widget = forms.NumberInput

    def label_from_instance(self, obj: Account) -> str:
        return obj.name


class TagsField(forms.CharField):
    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value) or ""
        return [tag.strip() for tag in text.replace("，", ",").split(",") if tag.strip()]  # noqa: RUF001


class AccountForm(forms.ModelForm):
    tags = TagsField(label=_("Tags"), required=False,
                     help_text=_("Separate tags with commas."))
    parent = AccountIdField(queryset=Account.objects.none(), required=False,
                            label=_("Parent account (id)"))
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False,
                                   label=_("Owner"),
                                   help_text=_("Empty puts the account in the shared pool."))

    class Meta:
        model = Account
        fields = ("name", "type", "industry", "region", "tier", "tags", "phone", "website",
                  "address", "city", "country", "owner", "parent", "external_id",
                  "value_score")

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = selectors.account_visible_queryset(viewer=viewer)
        self.fields["owner"].queryset = staff_users()
        if self.instance.pk is None and not self.is_bound:
            self.initial.setdefault("owner", viewer.pk)
        if self.instance.pk is not None:
            # Moving within the hierarchy has its own page (with the cycle check explained).
            del self.fields["parent"]
            # Owners change through the pool and the transfer: account_update refuses a
            # changed owner (a form error); an edit that does not post it keeps the owner.
            self.fields["owner"].help_text = _(
                "Claim, return or assign through the shared pool, or use the ownership "
                "transfer, to change the owner.")
            if self.is_bound and "owner" not in self.data:
                self.fields["owner"].disabled = True
        self.fields["external_id"].required = False
        use_region_choices(self, "region", current=self.instance.region)

    def clean_external_id(self) -> str | None:
        return (self.cleaned_data.get("external_id") or "").strip() or None


class MoveForm(forms.Form):
    parent = AccountIdField(queryset=Account.objects.none(), required=False,
                            label=_("New parent account (id)"),
                            help_text=_("Leave empty to make this account a head office."))

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = selectors.account_visible_queryset(viewer=viewer)


class TeamMemberForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), label=_("User"))
    role = forms.ChoiceField(choices=AccountTeamRole.choices, label=_("Role"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff_users()


class ContactForm(forms.ModelForm):
    account = AccountIdField(queryset=Account.objects.none(), label=_("Account (id)"))
    covered_by = forms.ModelChoiceField(queryset=User.objects.none(), required=False,
                                        label=_("Covered by"))

    class Meta:
        model = Contact
        fields = ("account", "first_name", "last_name", "title", "department", "phone",
                  "mobile", "email", "buying_role", "influence", "attitude", "reports_to",
                  "covered_by")

    def __init__(self, *args: Any, viewer: User, account: Account | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = selectors.account_visible_queryset(viewer=viewer)
        self.fields["covered_by"].queryset = staff_users()
        account = account or (self.instance.account if self.instance.pk else None)
        colleagues = Contact.objects.none()
        if account is not None:
            colleagues = account.contacts.all()
            if self.instance.pk:
                colleagues = colleagues.exclude(pk=self.instance.pk)
            self.initial.setdefault("account", account.pk)
        self.fields["reports_to"].queryset = colleagues
        self.fields["reports_to"].required = False


class MergeChoiceForm(forms.Form):
    """One radio group per field: which account's value survives."""

    def __init__(self, *args: Any, accounts: list[Account], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accounts = accounts
        self.rows: list[dict[str, Any]] = []
        for name in ACCOUNT_MERGE_FIELDS:
            model_field = Account._meta.get_field(name)
            values = [(account, _display(account, name)) for account in accounts]
            if len({str(value) for _account, value in values}) <= 1:
                continue  # all the same: nothing to choose
            self.fields[name] = forms.TypedChoiceField(
                label=model_field.verbose_name, coerce=int, widget=forms.RadioSelect,
                choices=[(account.pk, value or "—") for account, value in values],
                initial=accounts[0].pk,
            )
            self.rows.append({"name": name, "label": model_field.verbose_name,
                              "field": None})
        for row in self.rows:
            row["field"] = self[row["name"]]


def _display(account: Account, name: str) -> str:
    value = getattr(account, name)
    if name in {"owner", "parent"}:
        return str(value) if value is not None else ""
    if name in {"type", "tier"}:
        return getattr(account, f"get_{name}_display")()
    if isinstance(value, list):
        return ", ".join(value)
    return "" if value is None else str(value)


class AliasForm(forms.ModelForm):
    class Meta:
        model = NameAlias
        fields = ("alias", "canonical")


class AccountSettingsForm(forms.ModelForm):
    class Meta:
        model = AccountSettings
        fields = ("duplicate_threshold",)
