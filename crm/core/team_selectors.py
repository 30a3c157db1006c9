"""Team reads the settings pages and the API share.

Visibility: admins (MANAGE_SETTINGS) see every team, archived ones included; users with
SEE_TEAM_RECORDS (managers) see the teams they manage; everyone else sees none.
``team_get_for`` answers the same 404 for "missing" and "not yours".
"""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from crm.core.models import Team
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can


def team_visible_queryset(*, viewer: User) -> QuerySet[Team]:
    if not can(viewer, Capability.USE_CRM):
        return Team.objects.none()
    if can(viewer, Capability.MANAGE_SETTINGS):
        return Team.objects.all()
    if can(viewer, Capability.SEE_TEAM_RECORDS):
        return Team.objects.filter(pk__in=Team.objects.filter(managers=viewer).values("pk"))
    return Team.objects.none()


def _count_of(through: type) -> Coalesce:
    counted = (through.objects.filter(team_id=OuterRef("pk")).order_by()
               .values("team_id").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def team_list(*, viewer: User, include_archived: bool = True) -> QuerySet[Team]:
    """Visible teams, active first, with their region, managers and members (prefetched,
    ids and names only) and ``manager_count`` / ``member_count``."""
    queryset = team_visible_queryset(viewer=viewer)
    if not include_archived:
        queryset = queryset.active()
    people = User.objects.only("pk", "email", "first_name", "last_name").order_by(
        "first_name", "email")
    return (
        queryset.select_related("region")
        .prefetch_related(Prefetch("managers", queryset=people),
                          Prefetch("members", queryset=people))
        .annotate(manager_count=_count_of(Team.managers.through),
                  member_count=_count_of(Team.members.through))
        .order_by("archived_at", "name", "pk")
    )


def team_get_for(*, viewer: User, team_id: int | str) -> Team:
    """The team by id if ``viewer`` may see it; Http404 otherwise (garbage ids included)."""
    try:
        pk = int(team_id)
    except (TypeError, ValueError):
        raise Http404 from None
    team = team_list(viewer=viewer).filter(pk=pk).first()
    if team is None:
        raise Http404
    return team


def team_assignable_users() -> QuerySet[User]:
    """Active staff users, the choices for a team's members."""
    return User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by(
        "first_name", "last_name", "email")
