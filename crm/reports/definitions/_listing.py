"""What the account and service reports share: the rep/team narrowing of ``ReportFilters``
and the click-through links to the lists behind each figure.

Narrowing: ``rep_id`` keeps one owner's records, ``team_id`` the records of the team's
members (crm.core.visibility.team_member_ids), always inside what the viewer's selectors
return, so a filter never widens anyone's view. A link carries the same narrowing in the
list's own query parameters (``owner=<id>`` or ``team=<id>``), so the list shows exactly
the rows the figure counts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from crm.core.visibility import team_member_ids
from crm.reports.types import ReportFilters

Params = list[tuple[str, Any]]


def narrowed_owner_ids(filters: ReportFilters) -> frozenset[int] | None:
    """The owners the filters keep (None: every owner the viewer may see). ``rep_id``
    wins over ``team_id`` (a rep inside a team is the narrower ask)."""
    if filters.rep_id is not None:
        return frozenset({filters.rep_id})
    if filters.team_id is not None:
        return team_member_ids(filters.team_id)
    return None


def owner_params(filters: ReportFilters, *, owner: str = "owner") -> Params:
    """The list parameters of the same narrowing (``owner``: the list's owner parameter)."""
    if filters.rep_id is not None:
        return [(owner, filters.rep_id)]
    if filters.team_id is not None:
        return [("team", filters.team_id)]
    return []


def list_link(route: str, params: Iterable[tuple[str, Any]]) -> str:
    """The URL of the list ``route`` (a URL name) with ``params`` (None values left out)."""
    query = urlencode([(key, _text(value)) for key, value in params if value is not None])
    url = reverse(route)
    return f"{url}?{query}" if query else url


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The first and the last instant of the days ``start``..``end`` (inclusive) in the
    current time zone: the ``<field>_after`` / ``<field>_before`` values (both inclusive)
    of a list's date-time range filter."""
    zone = timezone.get_current_timezone()
    first = datetime.combine(start, time.min, tzinfo=zone)
    last = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone) \
        - timedelta(microseconds=1)
    return first, last

