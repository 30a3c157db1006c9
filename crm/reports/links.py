"""Click-through links of report rows: the list page behind a figure, with its filters in
the API's parameter names (so the same query string filters the list's API endpoint)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from crm.reports.selectors import sees_only_own
from crm.reports.types import ReportFilters
from tenants.users.models import User


def list_link(url_name: str, **params: Any) -> str:
    """The URL of a list page with its filters (API parameter names, so the same query
    string also filters the list's API endpoint). None values are left out."""
    query = {key: (value.isoformat() if isinstance(value, date | datetime) else value)
             for key, value in params.items() if value is not None and value != ""}
    url = reverse(url_name)
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def owner_params(*, viewer: User, filters: ReportFilters) -> dict[str, Any]:
    """The owner part of a list link: the rep, the team (lists that filter by team) or the
    viewer themselves for reps."""
    if filters.rep_id is not None:
        return {"owner": filters.rep_id}
    if filters.team_id is not None:
        return {"team": filters.team_id}
    if sees_only_own(viewer):
        return {"owner": viewer.pk}
    return {}
