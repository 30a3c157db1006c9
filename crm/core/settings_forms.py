"""Forms of the teams and regions settings pages: they parse input; crm.core.teams and
crm.core.regions decide."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.core.models import Region, Team
from crm.core.team_selectors import team_assignable_users
from tenants.users.models import User
from tenants.users.permissions import ROLE_CAPABILITIES, Capability


def _manager_roles() -> list[str]:
    return [role for role, capabilities in ROLE_CAPABILITIES.items()
            if Capability.SEE_TEAM_RECORDS in capabilities]


class _UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.display_name
        return f"{name} <{obj.email}>" if name and name != obj.email else obj.email


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(),
                                    required=False)
    managers = _UserChoiceField(
        label=_("Managers"), queryset=User.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Managers see the records of the team's members."))
    members = _UserChoiceField(
        label=_("Members"), queryset=User.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("Members see each other's records. A user may be in several teams."))

    def __init__(self, *args: Any, team: Team | None = None, **kwargs: Any) -> None:
        if team is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": team.name, "region": team.region_id,
                "managers": [user.pk for user in team.managers.all()],
                "members": [user.pk for user in team.members.all()],
            }
        super().__init__(*args, **kwargs)
        current_region = team.region_id if team is not None else None
        self.fields["region"].queryset = Region.objects.filter(
            Q(active=True) | Q(pk=current_region)).order_by("name")
        staff = team_assignable_users()
        self.fields["managers"].queryset = staff.filter(role__in=_manager_roles())
        self.fields["members"].queryset = staff


class RegionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    parent = forms.ModelChoiceField(
        label=_("Territory of"), queryset=Region.objects.none(), required=False,
        help_text=_("Leave empty for a region; pick a region to make this a territory in it."))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, region: Region | None = None, **kwargs: Any) -> None:
        if region is not None and "initial" not in kwargs:
            kwargs["initial"] = {"name": region.name, "parent": region.parent_id,
                                 "active": region.active}
        super().__init__(*args, **kwargs)
        parents = Region.objects.filter(parent__isnull=True).order_by("name")
        if region is not None:
            parents = parents.exclude(pk=region.pk)
        self.fields["parent"].queryset = parents
