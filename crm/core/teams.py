"""Team commands: create, update (rename, replace the lists), archive, restore.

Admins only (MANAGE_SETTINGS); managers see the teams they manage read-only (selectors in
crm.core.team_selectors). Teams are archived, never deleted: an archived team widens no
one's visibility (crm.core.visibility) and frees its name. Every change is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.core.models import Region, Team
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can


class _Unset(Enum):
    UNSET = "unset"


UNSET = _Unset.UNSET

UserRef = User | int


def _require_admin(actor: User) -> None:
    if not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied(_("Only administrators may change teams."))


def _user_ids(refs: Iterable[UserRef], field: str) -> list[int]:
    ids = []
    for ref in refs:
        value = ref.pk if isinstance(ref, User) else ref
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError({field: _("Give user ids (whole numbers).")})
        ids.append(value)
    return sorted(set(ids))


def _resolve_users(refs: Iterable[UserRef], *, field: str) -> list[User]:
    """Active staff users by id; unknown, inactive and portal users are refused by id."""
    ids = _user_ids(refs, field)
    users = list(User.objects.filter(pk__in=ids, kind=UserKind.STAFF, is_active=True))
    missing = sorted(set(ids) - {user.pk for user in users})
    if missing:
        raise ValidationError({field: _("No active staff user with id %(ids)s.")
                               % {"ids": ", ".join(str(pk) for pk in missing)}})
    if field == "managers":
        cannot = [user for user in users if not can(user, Capability.SEE_TEAM_RECORDS)]
        if cannot:
            raise ValidationError({field: _(
                "%(users)s cannot manage a team: their role does not see team records."
            ) % {"users": ", ".join(user.email for user in cannot)}})
    return users


def _clean_name(name: str, *, team: Team | None) -> str:
    cleaned = (name or "").strip()
    if not cleaned:
        raise ValidationError({"name": _("Enter the team's name.")})
    if len(cleaned) > 120:
        raise ValidationError({"name": _("Use at most 120 characters.")})
    clash = Team.objects.active().filter(name__iexact=cleaned)
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError({"name": _("An active team is already called %(name)s.")
                               % {"name": cleaned}})
    return cleaned


def _clean_region(region: Region | int | None, *, current_id: int | None) -> Region | None:
    if region is None:
        return None
    region_id = region.pk if isinstance(region, Region) else region
    found = Region.objects.filter(pk=region_id).first() if isinstance(region_id, int) else None
    # An inactive region stays on the teams that had it; new picks come from the active list.
    if found is None or (not found.active and found.pk != current_id):
        raise ValidationError({"region": _("Choose an active region from the list.")})
    return found


def _snapshot(team: Team) -> dict[str, Any]:
    return {
        "name": team.name,
        "region": team.region_id,
        "managers": sorted(team.managers.values_list("pk", flat=True)),
        "members": sorted(team.members.values_list("pk", flat=True)),
    }


def _save(team: Team) -> None:
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError:  # a concurrent create took the name
        raise ValidationError({"name": _("An active team is already called %(name)s.")
                               % {"name": team.name}}) from None


@transaction.atomic
def team_create(
    *, actor: User, name: str, managers: Iterable[UserRef] = (),
    members: Iterable[UserRef] = (), region: Region | int | None = None,
) -> Team:
    """A new active team with its managers and members."""
    _require_admin(actor)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    checks = (
        ("name", lambda: _clean_name(name, team=None)),
        ("managers", lambda: _resolve_users(managers, field="managers")),
        ("members", lambda: _resolve_users(members, field="members")),
        ("region", lambda: _clean_region(region, current_id=None)),
    )
    for field, check in checks:
        try:
            values[field] = check()
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    team = Team(name=values["name"], region=values["region"])
    _save(team)
    team.managers.set(values["managers"])
    team.members.set(values["members"])
    audit_event(instance=team, action="team.created", actor=actor, data=_snapshot(team))
    return team


@transaction.atomic
def team_update(
    *, team: Team, actor: User, name: str | _Unset = UNSET,
    managers: Iterable[UserRef] | _Unset = UNSET, members: Iterable[UserRef] | _Unset = UNSET,
    region: Region | int | _Unset | None = UNSET,
) -> Team:
    """Rename, change the region, or replace the managers' or members' list (each given
    list replaces the old one; arguments left out stay as they are)."""
    _require_admin(actor)
    team = Team.objects.select_for_update().get(pk=team.pk)
    before = _snapshot(team)
    errors: dict[str, list[str]] = {}
    new_managers = new_members = None
    try:
        if not isinstance(name, _Unset):
            team.name = _clean_name(name, team=team)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        if not isinstance(managers, _Unset):
            new_managers = _resolve_users(managers, field="managers")
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        if not isinstance(members, _Unset):
            new_members = _resolve_users(members, field="members")
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        if not isinstance(region, _Unset):
            team.region = _clean_region(region, current_id=team.region_id)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    _save(team)
    if new_managers is not None:
        team.managers.set(new_managers)
    if new_members is not None:
        team.members.set(new_members)
    after = _snapshot(team)
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes:
        audit_event(instance=team, action="team.updated", actor=actor, changes=changes)
    return team


@transaction.atomic
def team_archive(*, team: Team, actor: User) -> Team:
    """Archive: the team keeps its lists and history but no longer widens visibility."""
    _require_admin(actor)
    team = Team.objects.select_for_update().get(pk=team.pk)
    if team.archived:
        raise ValidationError(_("This team is archived already."))
    team.archived_at = timezone.now()
    team.save(update_fields=["archived_at"])
    audit_event(instance=team, action="team.archived", actor=actor, data={"name": team.name})
    return team


@transaction.atomic
def team_restore(*, team: Team, actor: User) -> Team:
    """Make an archived team count again (its name must still be free)."""
    _require_admin(actor)
    team = Team.objects.select_for_update().get(pk=team.pk)
    if not team.archived:
        raise ValidationError(_("This team is active already."))
    team.name = _clean_name(team.name, team=team)
    team.archived_at = None
    _save(team)
    audit_event(instance=team, action="team.restored", actor=actor, data={"name": team.name})
    return team
