"""``team=<id>``: a list's rows whose owner is a member of that team (crm.core.visibility's
``team_member_ids``), inside what the viewer may see. Report rows narrowed to a team link
to their lists with it, so the click-through shows the rows the figure counts."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from crm.core.visibility import team_member_ids

MAX_ID = 2**63 - 1


class TeamFilter(django_filters.NumberFilter):
    """Rows owned by a member of the team (``owner_field``: the path to the owner)."""

    def __init__(self, *args: Any, owner_field: str = "owner", **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Team"))
        super().__init__(*args, **kwargs)
        self.owner_field = owner_field

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value in (None, ""):
            return qs
        if value != int(value) or not 0 < int(value) <= MAX_ID:
            return qs.none()
        return qs.filter(**{f"{self.owner_field}_id__in": team_member_ids(int(value))})
