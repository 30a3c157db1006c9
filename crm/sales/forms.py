"""Forms of the sales pages: they parse input; the rules stay in crm.sales.services."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import Account, BuyingRole, Contact
from crm.accounts.selectors import account_visible_queryset
from crm.core.visibility import manages_user
from crm.sales.models import OpportunityTeamRole, Pipeline, Stage
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

ORDERING_CHOICES = [
    ("", _("Recently updated")), ("close_date", _("Close date")),
    ("-amount", _("Largest amount")), ("name", _("Name")), ("stage", _("Stage")),
]


def sales_users() -> list[User]:
    """Active staff who may own deals (a short list: a tenant's staff)."""
    users = User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by(
        "first_name", "last_name", "email"
    )
    return [user for user in users if can(user, Capability.MANAGE_SALES)]


def staff_users() -> list[User]:
    users = User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by(
        "first_name", "last_name", "email"
    )
    return [user for user in users if can(user, Capability.USE_CRM)]


def _user_label(user: User) -> str:
    return user.get_full_name() or user.email


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return _user_label(obj)


def _limit_user_field(field: UserChoiceField, users: list[User]) -> None:
    field.queryset = User.objects.filter(pk__in=[user.pk for user in users])
    field.widget.choices = [("", "---------")] + [(user.pk, _user_label(user)) for user in users]


class AccountChoiceField(forms.ModelChoiceField):
    """An account the viewer may see, picked through a search box (htmx) instead of a
    select holding every account of the tenant."""

    def label_from_instance(self, obj: Account) -> str:
        return obj.name


class ForecastFilterForm(forms.Form):
    start = forms.DateField(label=_("Closing from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Closing until"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=Pipeline.objects.none(),
                                      required=False, empty_label=_("All pipelines"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pipeline"].queryset = Pipeline.objects.filter(active=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end comes before the start."))
        return data


class OpportunityCreateForm(forms.Form):
    account = AccountChoiceField(label=_("Account"), queryset=Account.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2, min_value=0)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False,
                               help_text=_("Three letters, e.g. USD; empty: the company's."))
    close_date = forms.DateField(label=_("Expected close date"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=Pipeline.objects.none(),
                                      required=False, empty_label=_("Default pipeline"))
    owner = UserChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False,
                            empty_label=_("Me"))
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    competitors = forms.CharField(label=_("Competitors"), max_length=500, required=False,
                                  help_text=_("Separate names with commas."))

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        accounts: QuerySet[Account] = account_visible_queryset(viewer=viewer)
        self.fields["account"].queryset = accounts
        # Only the chosen account is rendered; the search box fills in the others.
        chosen = self.data.get("account") or self.initial.get("account")
        selected = accounts.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
        self.fields["account"].widget.choices = [("", "---------")] + (
            [(selected.pk, selected.name)] if selected else []
        )
        self.fields["pipeline"].queryset = Pipeline.objects.filter(active=True)
        # Offer whom the viewer may name (opportunity_create enforces the same rule).
        _limit_user_field(self.fields["owner"],
                          [user for user in sales_users() if manages_user(viewer, user)])


class OpportunityEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2, min_value=0)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    close_date = forms.DateField(label=_("Expected close date"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    probability = forms.IntegerField(
        label=_("Probability (%)"), min_value=0, max_value=100, required=False,
        help_text=_("Leave empty to follow the stage's probability."),
    )
    owner = UserChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    competitors = forms.CharField(label=_("Competitors"), max_length=500, required=False,
                                  help_text=_("Separate names with commas."))
    lost_reason = forms.CharField(label=_("Lost reason"), max_length=300, required=False)

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Shown for reference; a changed owner is refused by opportunity_update (owners
        # change through the ownership transfer).
        _limit_user_field(self.fields["owner"], sales_users())
        self.fields["owner"].help_text = _(
            "Change the owner through the ownership transfer.")
        if self.is_bound and "owner" not in self.data:
            self.fields["owner"].disabled = True  # not posted: keep the current owner


class MoveForm(forms.Form):
    stage = forms.ModelChoiceField(label=_("Move to"), queryset=Stage.objects.none())
    override_reason = forms.CharField(
        label=_("Override reason"), max_length=500, required=False,
        help_text=_("Managers: move on although key actions are open, and say why."),
    )
    lost_reason = forms.CharField(label=_("Lost reason"), max_length=300, required=False)

    def __init__(self, *args: Any, pipeline: Pipeline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = pipeline.stages.all()


class CommitteeForm(forms.Form):
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none())
    role = forms.ChoiceField(label=_("Role in this deal"), choices=BuyingRole.choices)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)

    def __init__(self, *args: Any, contacts: QuerySet[Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts


class TeamMemberForm(forms.Form):
    user = UserChoiceField(label=_("Colleague"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=OpportunityTeamRole.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_user_field(self.fields["user"], staff_users())


class PipelineForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    is_default = forms.BooleanField(label=_("Default pipeline"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class StageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32000, required=False)
    probability = forms.IntegerField(label=_("Probability (%)"), min_value=0, max_value=100)
    is_won = forms.BooleanField(label=_("Won"), required=False)
    is_lost = forms.BooleanField(label=_("Lost"), required=False)


class KeyActionForm(forms.Form):
    label = forms.CharField(label=_("Key action"), max_length=200)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32000, required=False)
