"""Forms of the pool pages: input parsing only (rules live in the services)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.core.models import Team
from crm.pool.models import Pool, PoolRule
from crm.pool.selectors import assignable_users_for, transfer_source_users_for
from tenants.users.models import User


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Why do you return it?"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    to_user = forms.ModelChoiceField(label=_("Give to"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = assignable_users_for(viewer=viewer)


class PoolForm(forms.ModelForm):
    """A pool and its rule in one form (saved through pool_create / pool_update)."""

    max_accounts_per_rep = forms.IntegerField(
        label=PoolRule._meta.get_field("max_accounts_per_rep").verbose_name, required=False,
        min_value=1, help_text=_("Empty: no limit."))
    reclaim_after_days_without_activity = forms.IntegerField(
        label=PoolRule._meta.get_field("reclaim_after_days_without_activity").verbose_name,
        required=False, min_value=1, help_text=_("Empty: never for this reason."))
    reclaim_after_days_without_won_deal = forms.IntegerField(
        label=PoolRule._meta.get_field("reclaim_after_days_without_won_deal").verbose_name,
        required=False, min_value=1, help_text=_("Empty: never for this reason."))
    warn_days_before = forms.IntegerField(
        label=PoolRule._meta.get_field("warn_days_before").verbose_name, min_value=0,
        max_value=365, initial=3)

    class Meta:
        model = Pool
        fields = ["name", "team", "region", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.active().order_by("name")
        rule = getattr(self.instance, "rule", None) if self.instance.pk else None
        if rule is not None and not self.is_bound:
            for name in ("max_accounts_per_rep", "reclaim_after_days_without_activity",
                         "reclaim_after_days_without_won_deal", "warn_days_before"):
                self.initial[name] = getattr(rule, name)

    def validate_unique(self) -> None:
        """Name clashes are the service's to report (case-insensitively)."""


class TransferForm(forms.Form):
    from_user = forms.ModelChoiceField(label=_("From"), queryset=User.objects.none())
    to_user = forms.ModelChoiceField(label=_("To"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    include_accounts = forms.BooleanField(label=_("Accounts"), required=False, initial=True)
    accounts = forms.TypedMultipleChoiceField(
        label=_("Only these accounts"), required=False, coerce=int,
        help_text=_("Leave empty to transfer every account."))
    include_opportunities = forms.BooleanField(label=_("Open opportunities"), required=False,
                                               initial=True)
    include_leads = forms.BooleanField(label=_("Open leads"), required=False, initial=True)
    include_tasks = forms.BooleanField(label=_("Open tasks"), required=False, initial=True)

    def __init__(self, *args: Any, viewer: User,
                 account_choices: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The candidates follow the service's rule: the people the viewer manages.
        self.fields["from_user"].queryset = transfer_source_users_for(viewer=viewer)
        self.fields["to_user"].queryset = assignable_users_for(viewer=viewer)
        self.fields["accounts"].choices = account_choices or []
