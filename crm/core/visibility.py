"""The one visibility layer: which owners' records a staff user may see.

A sales rep sees their own records, their teams' records and unowned (pool) records; a
manager sees the records of the teams they manage (and their own); admins and read-only users
see everything; service agents see accounts and contacts (the service issue widens this to
service records). Only active teams count: an archived team widens no one's view. Teams have
several managers and a user may be in several teams. Selectors call ``scope_by_owner``; no
view or serializer filters by owner itself.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from crm.core.models import Team
from tenants.users.models import User
from tenants.users.permissions import Capability, can


@dataclass(frozen=True)
class OwnerScope:
    """``owner_ids is None`` means every owner; ``include_unowned`` adds the pool."""

    owner_ids: frozenset[int] | None
    include_unowned: bool

    @property
    def sees_all(self) -> bool:
        return self.owner_ids is None


EVERYTHING = OwnerScope(owner_ids=None, include_unowned=True)
NOTHING = OwnerScope(owner_ids=frozenset(), include_unowned=False)


def owner_scope_for(viewer: User) -> OwnerScope:
    """Whose records ``viewer`` may see (computed once per request; cached on the user)."""
    cached = getattr(viewer, "_owner_scope", None)
    if cached is not None:
        return cached
    scope = _compute_owner_scope(viewer)
    viewer._owner_scope = scope  # type: ignore[attr-defined]  # per-request memo
    return scope


def _compute_owner_scope(viewer: User) -> OwnerScope:
    if not can(viewer, Capability.USE_CRM):
        return NOTHING
    if can(viewer, Capability.SEE_ALL_RECORDS):
        return EVERYTHING
    if can(viewer, Capability.MANAGE_SERVICE) and not can(viewer, Capability.MANAGE_SALES):
        # Service agents work every customer's service: they see all accounts/contacts.
        return EVERYTHING
    owners = {viewer.pk, *_teammate_ids(viewer)}
    return OwnerScope(owner_ids=frozenset(owners), include_unowned=True)


def _teammate_ids(viewer: User) -> frozenset[int]:
    """Members of the active teams ``viewer`` is in, or manages (with SEE_TEAM_RECORDS)."""
    team_filter = Q(members=viewer)
    if can(viewer, Capability.SEE_TEAM_RECORDS):
        team_filter |= Q(managers=viewer)
    return _member_ids_of(Team.objects.active().filter(team_filter))


def _member_ids_of(teams: QuerySet[Team]) -> frozenset[int]:
    # Teams first, then their members: filtering and reading `members` in one query would
    # reuse the same join and return only the viewer.
    member_ids = Team.members.through.objects.filter(
        team_id__in=teams.values("pk")).values_list("user_id", flat=True)
    return frozenset(member_ids)


def managed_user_ids(viewer: User) -> frozenset[int] | None:
    """The users ``viewer`` manages: the members of the active teams they manage (None means
    everyone: admins). Reps and everyone without SEE_TEAM_RECORDS manage no one."""
    if can(viewer, Capability.MANAGE_SETTINGS):
        return None
    if not can(viewer, Capability.SEE_TEAM_RECORDS):
        return frozenset()
    return _member_ids_of(Team.objects.active().filter(managers=viewer))


def scope_by_owner(queryset: QuerySet, viewer: User, *, owner_field: str = "owner") -> QuerySet:
    """Narrow ``queryset`` to the records ``viewer`` may see, by its owner field."""
    scope = owner_scope_for(viewer)
    if scope.sees_all:
        return queryset
    condition = Q(**{f"{owner_field}__in": scope.owner_ids})
    if scope.include_unowned:
        condition |= Q(**{f"{owner_field}__isnull": True})
    return queryset.filter(condition)
