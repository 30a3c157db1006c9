"""Reads the reports share: whom a viewer may filter on, whose records a report counts, the
period's bounds, the click-through links, exchange rates and sales targets.

Visibility: every report starts from the record types' own visibility selectors
(``opportunity_visible``, ``activity_visible_queryset``...) and only narrows them here by
owner. Who may be chosen in the filters:

- admins and read-only users: every active team, every active sales user;
- managers: the teams they manage or work in, and the owners they may see (themselves and
  those teams' members);
- everyone else (sales reps): no team, and only themselves — a rep's reports always count
  their own records, so a rep can never filter to a colleague's figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from crm.core.models import Team
from crm.core.visibility import (
    managed_user_ids,
    owner_scope_for,
    team_member_ids,
    team_members_by_team,
    viewer_team_ids,
)
from crm.reports.models import ExchangeRate, SalesTarget
from crm.reports.types import ReportFilters
from tenants.users.models import Role, User, UserKind
from tenants.users.permissions import Capability, can

SALES_ROLES = (Role.ADMIN, Role.MANAGER, Role.SALES_REP)


def sees_only_own(viewer: User) -> bool:
    """True for viewers whose reports count only their own records (sales reps)."""
    return not (can(viewer, Capability.SEE_ALL_RECORDS)
                or can(viewer, Capability.SEE_TEAM_RECORDS))


def filter_team_choices(*, viewer: User) -> QuerySet[Team]:
    """The teams ``viewer`` may narrow a report to."""
    if sees_only_own(viewer):
        return Team.objects.none()
    team_ids = viewer_team_ids(viewer)
    teams = Team.objects.active().order_by("name", "pk")
    return teams if team_ids is None else teams.filter(pk__in=team_ids)


def filter_rep_choices(*, viewer: User) -> QuerySet[User]:
    """The people ``viewer`` may narrow a report to (and the rows of per-rep tables)."""
    staff = User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by(
        "first_name", "last_name", "email", "pk")
    if not can(viewer, Capability.USE_CRM):
        return staff.none()
    if sees_only_own(viewer):
        return staff.filter(pk=viewer.pk)
    scope = owner_scope_for(viewer)
    if scope.owner_ids is None:
        return staff.filter(role__in=SALES_ROLES)
    return staff.filter(pk__in=scope.owner_ids)


def report_owner_ids(*, viewer: User, filters: ReportFilters) -> frozenset[int] | None:
    """Whose records the report counts, on top of the records' own visibility: one rep, one
    team's members, the viewer alone (reps), or None for everything the viewer may see."""
    if filters.rep_id is not None:
        return frozenset({filters.rep_id})
    if filters.team_id is not None:
        return team_member_ids(filters.team_id)
    if sees_only_own(viewer):
        return frozenset({viewer.pk})
    return None


def narrow_owner(queryset: QuerySet, owner_ids: frozenset[int] | None, *,
                 owner_field: str = "owner") -> QuerySet:
    if owner_ids is None:
        return queryset
    return queryset.filter(**{f"{owner_field}__in": owner_ids})


def report_rep_rows(*, viewer: User, filters: ReportFilters) -> list[User]:
    """The people a per-rep table lists, in name order."""
    reps = filter_rep_choices(viewer=viewer)
    owner_ids = report_owner_ids(viewer=viewer, filters=filters)
    if owner_ids is not None:
        reps = reps.filter(pk__in=owner_ids)
    return list(reps)


# --- the period ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """The report's period as dates (inclusive) and as aware date-times in the current zone:
    ``[start_at, end_at]`` with ``end_at`` the last microsecond of the end day, and
    ``after_end_at`` midnight after it (for lists whose upper bound is exclusive)."""

    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end, time.max))

    @property
    def after_end_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


def default_period(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(start=date(today.year, 1, 1), end=date(today.year, 12, 31))


def period_of(filters: ReportFilters) -> Period:
    fallback = default_period()
    return Period(start=filters.start or fallback.start, end=filters.end or fallback.end)


def months_of(period: Period) -> list[date]:
    """The first day of every month the period touches."""
    months = []
    current = date(period.start.year, period.start.month, 1)
    while current <= period.end:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def month_end(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - timedelta(days=1)


# --- exchange rates --------------------------------------------------------------------------

def exchange_rate_list() -> QuerySet[ExchangeRate]:
    """The workspace's exchange rates (not secret to staff; changed by admins only)."""
    return ExchangeRate.objects.select_related("created_by").order_by("currency",
                                                                       "-valid_from", "pk")


def exchange_rate_get(*, rate_id: int | str) -> ExchangeRate:
    try:
        pk = int(rate_id)
    except (TypeError, ValueError):
        raise Http404 from None
    rate = ExchangeRate.objects.filter(pk=pk).first()
    if rate is None:
        raise Http404
    return rate


# --- sales targets ---------------------------------------------------------------------------

def target_editable_team_ids(viewer: User) -> frozenset[int] | None:
    """The teams whose targets ``viewer`` may set: None for admins (every team), the teams
    they manage for managers, none for anyone else."""
    if not can(viewer, Capability.USE_CRM):
        return frozenset()
    if can(viewer, Capability.MANAGE_SETTINGS):
        return None
    if not can(viewer, Capability.SEE_TEAM_RECORDS):
        return frozenset()
    return frozenset(Team.objects.active().filter(managers=viewer).values_list("pk", flat=True))


def target_editable_rep_ids(viewer: User) -> frozenset[int] | None:
    """The reps whose targets ``viewer`` may set: None for admins, the members of the teams
    a manager manages, nobody for anyone else (crm.core.visibility.managed_user_ids, less
    the manager themselves: a manager's own target is their manager's to set)."""
    team_ids = target_editable_team_ids(viewer)
    if team_ids is None:
        return None
    if not team_ids:
        return frozenset()
    managed = managed_user_ids(viewer) or frozenset()
    members = frozenset().union(*team_members_by_team(team_ids).values())
    return (members & managed) - {viewer.pk}


def sales_target_visible(*, viewer: User) -> QuerySet[SalesTarget]:
    """The targets ``viewer`` may read: everything for those who see all records; for
    others the targets of the reps they may see and of the teams they work in."""
    targets = SalesTarget.objects.select_related("rep", "team")
    if not can(viewer, Capability.USE_CRM):
        return targets.none()
    scope = owner_scope_for(viewer)
    if scope.owner_ids is None:
        return targets
    condition = Q(rep_id__in=scope.owner_ids)
    if scope.team_ids:
        condition |= Q(team_id__in=scope.team_ids)
    return targets.filter(condition)


def sales_target_get_for(*, viewer: User, target_id: int | str) -> SalesTarget:
    """The target by id if ``viewer`` may read it; Http404 for missing and hidden alike."""
    try:
        pk = int(target_id)
    except (TypeError, ValueError):
        raise Http404 from None
    target = sales_target_visible(viewer=viewer).filter(pk=pk).first()
    if target is None:
        raise Http404
    return target


def target_grid(*, viewer: User, year: int, team_id: int | None = None
                ) -> dict[str, Any]:
    """The month x rep grid of one year: the reps (and teams) ``viewer`` may set targets
    for and their current targets (``{(kind, id, month): SalesTarget}``)."""
    rep_ids = target_editable_rep_ids(viewer)
    team_ids = target_editable_team_ids(viewer)
    reps = User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by(
        "first_name", "last_name", "email", "pk")
    reps = reps.filter(role__in=SALES_ROLES) if rep_ids is None else reps.filter(pk__in=rep_ids)
    teams = Team.objects.active().order_by("name", "pk")
    if team_ids is not None:
        teams = teams.filter(pk__in=team_ids)
    if team_id is not None:
        teams = teams.filter(pk=team_id)
        reps = reps.filter(pk__in=team_member_ids(team_id))
    months = [date(year, month, 1) for month in range(1, 13)]
    existing = SalesTarget.objects.filter(month__year=year).filter(
        Q(rep__in=reps) | Q(team__in=teams))
    cells = {("rep" if t.rep_id else "team", t.rep_id or t.team_id, t.month): t
             for t in existing}
    return {"reps": list(reps), "teams": list(teams), "months": months, "cells": cells}
