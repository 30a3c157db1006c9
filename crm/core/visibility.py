"""The one visibility layer: which owners' records a staff user may see, and which users
a staff user manages.

A sales rep sees their own records, their teams' records and unowned (pool) records; a
manager sees the records of the teams they manage (and their own); admins and read-only users
see everything; service agents see accounts and contacts (the service issue widens this to
service records). Only active teams count: an archived team widens no one's view. Teams have
several managers and a user may be in several teams. Selectors call ``scope_by_owner``; no
view or serializer filters by owner itself (tests/isolation/test_scope_accessors.py walks the
source tree to keep it so).

Team membership and team management are read here and nowhere else: ``viewer_team_ids``
(the teams a user works in), ``managed_user_ids`` (whom a user may give records to, move
records between, or name as owner). Every other module asks these functions.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from crm.core.models import Team
from tenants.users.models import User
from tenants.users.permissions import Capability, can


@dataclass(frozen=True)
class OwnerScope:
    """``owner_ids is None`` means every owner; ``include_unowned`` adds the pool;
    ``team_ids`` are the teams the viewer works in (None: every team)."""

    owner_ids: frozenset[int] | None
    include_unowned: bool
    team_ids: frozenset[int] | None = None

    @property
    def sees_all(self) -> bool:
        return self.owner_ids is None


EVERYTHING = OwnerScope(owner_ids=None, include_unowned=True, team_ids=None)
NOTHING = OwnerScope(owner_ids=frozenset(), include_unowned=False, team_ids=frozenset())


def _team_ids(viewer: User, *, managed_only: bool) -> frozenset[int]:
    """Ids of the teams ``viewer`` manages (``managed_only``), or belongs to or manages.

    The only query on Team.members/Team.managers in the code base. Only active teams count;
    managing a team counts only for users whose role lets them see team records (managers,
    admins)."""
    condition = Q(managers=viewer) if can(viewer, Capability.SEE_TEAM_RECORDS) else Q(pk__in=[])
    if not managed_only:
        condition |= Q(members=viewer)
    return frozenset(Team.objects.active().filter(condition).values_list("pk", flat=True)
                     .distinct())


def member_team_ids(user_id: int) -> frozenset[int]:
    """The teams the user with this id is a member of (not the ones they manage)."""
    return frozenset(Team.members.through.objects.filter(
        user_id=user_id, team__archived_at__isnull=True).values_list("team_id", flat=True))


def team_manager_ids(user_id: int) -> frozenset[int]:
    """The user's line managers: the managers of the active teams the user with this id is a
    member of, who are active and whose role lets them see team records (approvals of
    quotes' discounts and orders go to them first). Never the user themselves."""
    team_ids = member_team_ids(user_id)
    if not team_ids:
        return frozenset()
    manager_ids = frozenset(Team.managers.through.objects.filter(team_id__in=team_ids)
                            .exclude(user_id=user_id).values_list("user_id", flat=True))
    users = User.objects.filter(pk__in=manager_ids, is_active=True)
    return frozenset(user.pk for user in users if can(user, Capability.SEE_TEAM_RECORDS))


def _team_member_ids(team_ids: frozenset[int]) -> frozenset[int]:
    if not team_ids:
        return frozenset()
    return frozenset(
        Team.members.through.objects.filter(team_id__in=team_ids).values_list("user_id",
                                                                              flat=True)
    )


def team_member_ids(team_id: int) -> frozenset[int]:
    """The members of the active team with this id (nobody for an archived or unknown
    team): what a list or a report narrowed to one team counts, always inside the viewer's
    own visibility (the narrowing never widens it)."""
    return frozenset(Team.members.through.objects.filter(
        team_id=team_id, team__archived_at__isnull=True).values_list("user_id", flat=True))


def team_members_by_team(team_ids: frozenset[int] | list[int]) -> dict[int, frozenset[int]]:
    """Each active team's members, for several teams in one query (reports' team rows)."""
    members: dict[int, set[int]] = {}
    for team_id, user_id in Team.members.through.objects.filter(
            team_id__in=list(team_ids), team__archived_at__isnull=True).values_list(
            "team_id", "user_id"):
        members.setdefault(team_id, set()).add(user_id)
    return {team_id: frozenset(users) for team_id, users in members.items()}


def viewer_team_ids(viewer: User) -> frozenset[int] | None:
    """The teams ``viewer`` works in (member or manager); None means every team (users who
    see all records). Team pools and team-scoped settings follow this."""
    return owner_scope_for(viewer).team_ids


def managed_user_ids(viewer: User) -> frozenset[int] | None:
    """The users ``viewer`` manages: None means everyone (admins, who assign and see all);
    a manager manages themselves and the members of the teams they manage; anyone else only
    themselves (users without CRM access nobody).

    Who may be named as a new record's owner, who may receive pool accounts from this viewer,
    and between whom this viewer may transfer ownership."""
    if not can(viewer, Capability.USE_CRM):
        return frozenset()
    if can(viewer, Capability.ASSIGN_RECORDS) and can(viewer, Capability.SEE_ALL_RECORDS):
        return None
    # Not memoised: only writes ask, and a team change must count at once.
    managed = frozenset({viewer.pk})
    if can(viewer, Capability.ASSIGN_RECORDS):
        managed |= _team_member_ids(_team_ids(viewer, managed_only=True))
    return managed


def manages_user(viewer: User, user: User | None) -> bool:
    """True when ``viewer`` may act for ``user`` (see ``managed_user_ids``)."""
    if user is None:
        return False
    managed = managed_user_ids(viewer)
    return managed is None or user.pk in managed


def scope_managed_users(queryset: QuerySet[User], viewer: User) -> QuerySet[User]:
    """Narrow a queryset of users to the ones ``viewer`` manages."""
    managed = managed_user_ids(viewer)
    return queryset if managed is None else queryset.filter(pk__in=managed)


def owner_scope_for(viewer: User) -> OwnerScope:
    """Whose records ``viewer`` may see (computed once per request; cached on the user)."""
    cached = viewer.__dict__.get("_owner_scope")
    if isinstance(cached, OwnerScope):
        return cached
    scope = _compute_owner_scope(viewer)
    viewer.__dict__["_owner_scope"] = scope  # per-request memo
    return scope


def _compute_owner_scope(viewer: User) -> OwnerScope:
    if not can(viewer, Capability.USE_CRM):
        return NOTHING
    if can(viewer, Capability.SEE_ALL_RECORDS):
        return EVERYTHING
    if can(viewer, Capability.MANAGE_SERVICE) and not can(viewer, Capability.MANAGE_SALES):
        # Service agents work every customer's service: they see all accounts/contacts.
        return EVERYTHING
    team_ids = _team_ids(viewer, managed_only=False)
    owners = {viewer.pk, *_team_member_ids(team_ids)}
    return OwnerScope(owner_ids=frozenset(owners), include_unowned=True, team_ids=team_ids)


def scope_by_owner(queryset: QuerySet, viewer: User, *, owner_field: str = "owner") -> QuerySet:
    """Narrow ``queryset`` to the records ``viewer`` may see, by its owner field."""
    scope = owner_scope_for(viewer)
    if scope.sees_all:
        return queryset
    condition = Q(**{f"{owner_field}__in": scope.owner_ids})
    if scope.include_unowned:
        condition |= Q(**{f"{owner_field}__isnull": True})
    return queryset.filter(condition)
