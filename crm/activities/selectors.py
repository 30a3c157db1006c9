"""Reads of activities that the UI, the API and other CRM apps share.

Visibility: a viewer sees an activity when its owner is in the viewer's owner scope (own,
team; managers their teams; admins and read-only users all) or when the viewer may see the
account it counts for (crm.accounts visibility: the next rep of a pool account sees what
happened before). Staff without sales work (service agents) never see activities on leads
or opportunities. Every accessor by id answers Http404 for "not visible" and "does not
exist" alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import (
    ASin,
    Cast,
    Coalesce,
    Cos,
    Least,
    Power,
    Radians,
    Sin,
    Sqrt,
)
from django.http import Http404
from django.utils import timezone

from crm.accounts.models import Account
from crm.accounts.selectors import account_visible_queryset
from crm.activities.models import Activity, ActivityComment, ActivityKind, ActivityLike
from crm.activities.targets import SALES_TARGET_KEYS, content_types_for, target_key_of
from crm.core.visibility import owner_scope_for
from tenants.users.models import User
from tenants.users.permissions import Capability, can

EARTH_RADIUS_KM = 6371.0088


def sees_sales(viewer: User) -> bool:
    return can(viewer, Capability.MANAGE_SALES) or can(viewer, Capability.SEE_ALL_RECORDS)


def activity_visible_queryset(*, viewer: User) -> QuerySet[Activity]:
    """Every activity ``viewer`` may see (nothing for users without CRM access)."""
    if not can(viewer, Capability.USE_CRM):
        return Activity.objects.none()
    queryset = Activity.objects.all()
    scope = owner_scope_for(viewer)
    if not scope.sees_all:
        queryset = queryset.filter(
            Q(owner__in=scope.owner_ids)
            | Q(account__in=account_visible_queryset(viewer=viewer).values("pk"))
        )
    if not sees_sales(viewer):
        hidden = [ct.pk for ct in content_types_for(SALES_TARGET_KEYS)]
        if hidden:
            queryset = queryset.exclude(target_type__in=hidden)
    return queryset


@dataclass(frozen=True)
class ActivityFilters:
    kind: str = ""
    owner: int | None = None
    account: int | None = None
    status: str = ""  # "open" | "done" | ""
    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    mine: bool = False


def _with_social(queryset: QuerySet[Activity], viewer: User) -> QuerySet[Activity]:
    """Comment and like counts and "liked by me" as subqueries (no row multiplication)."""
    comments = (
        ActivityComment.objects.filter(activity=OuterRef("pk")).order_by()
        .values("activity").annotate(n=Count("pk")).values("n")
    )
    likes = (
        ActivityLike.objects.filter(activity=OuterRef("pk")).order_by()
        .values("activity").annotate(n=Count("pk")).values("n")
    )
    liked: Any = (Exists(ActivityLike.objects.filter(activity=OuterRef("pk"), user=viewer))
                  if viewer.is_authenticated else Value(False))
    return queryset.annotate(
        comment_count=Coalesce(Subquery(comments, output_field=IntegerField()), Value(0)),
        like_count=Coalesce(Subquery(likes, output_field=IntegerField()), Value(0)),
        liked_by_viewer=liked,
    )


def activity_search(queryset: QuerySet[Activity], search: str) -> QuerySet[Activity]:
    """``queryset`` narrowed to activities whose subject or notes contain ``search``."""
    term = search.strip()
    if not term:
        return queryset
    return queryset.filter(Q(subject__icontains=term) | Q(notes__icontains=term))


def activity_occurred_between(queryset: QuerySet[Activity], *, date_from: date | None = None,
                              date_to: date | None = None) -> QuerySet[Activity]:
    """``queryset`` narrowed to activities on these days (both included) in the current
    time zone (the viewer's)."""
    current = timezone.get_current_timezone()
    if date_from:
        queryset = queryset.filter(
            occurred_at__gte=datetime.combine(date_from, time.min, tzinfo=current))
    if date_to:
        queryset = queryset.filter(
            occurred_at__lt=datetime.combine(date_to + timedelta(days=1), time.min,
                                             tzinfo=current))
    return queryset


def activity_list(*, viewer: User, filters: ActivityFilters | None = None
                  ) -> QuerySet[Activity]:
    """Visible activities, newest first, with owner/account loaded and social counts."""
    filters = filters or ActivityFilters()
    queryset = activity_visible_queryset(viewer=viewer)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.mine:
        queryset = queryset.filter(owner=viewer)
    elif filters.owner:
        queryset = queryset.filter(owner_id=filters.owner)
    if filters.account:
        queryset = queryset.filter(account_id=filters.account)
    if filters.status == "open":
        queryset = queryset.filter(done_at__isnull=True)
    elif filters.status == "done":
        queryset = queryset.filter(done_at__isnull=False)
    queryset = activity_search(queryset, filters.q)
    queryset = activity_occurred_between(queryset, date_from=filters.date_from,
                                         date_to=filters.date_to)
    return _with_social(
        queryset.select_related("owner", "account", "target_type"), viewer
    ).order_by("-occurred_at", "-id")


def activity_get_for(*, viewer: User, activity_id: int | str) -> Activity:
    """The activity with this id if ``viewer`` may see it; Http404 otherwise (same answer for
    "does not exist" and "not yours")."""
    try:
        pk = int(activity_id)
    except (TypeError, ValueError):
        raise Http404 from None
    activity = (
        _with_social(activity_visible_queryset(viewer=viewer), viewer)
        .select_related("owner", "account", "target_type", "created_by")
        .filter(pk=pk).first()
    )
    if activity is None:
        raise Http404
    return activity


def activity_comments(*, activity: Activity) -> QuerySet[ActivityComment]:
    """Comments of an activity the caller already may see."""
    return activity.comments.select_related("author")


def sales_log_feed(*, viewer: User) -> QuerySet[Activity]:
    """Visible sales logs, newest first, with counts (the feed colleagues comment on)."""
    return activity_list(viewer=viewer, filters=ActivityFilters(kind=ActivityKind.LOG))


def timeline_for(*, viewer: User, record: Any, limit: int | None = 50) -> list[Activity]:
    """The visible activities on ``record`` (account, contact, lead or opportunity), newest
    first. An account's timeline also holds its contacts' and opportunities' activities."""
    content_type = ContentType.objects.get_for_model(type(record))
    condition = Q(target_type=content_type, target_id=record.pk)
    if target_key_of(record) == "account":
        condition |= Q(account_id=record.pk)
        contact_types = content_types_for(("contact",))
        if contact_types:
            condition |= Q(target_type=contact_types[0],
                           target_id__in=record.contacts.values("pk"))
        opportunity_types = content_types_for(("opportunity",))
        opportunity_model = opportunity_types[0].model_class() if opportunity_types else None
        if opportunity_model is not None:
            condition |= Q(target_type=opportunity_types[0],
                           target_id__in=opportunity_model._base_manager
                           .filter(account_id=record.pk).values("pk"))
    queryset = (
        _with_social(activity_visible_queryset(viewer=viewer).filter(condition), viewer)
        .select_related("owner", "account", "target_type").order_by("-occurred_at", "-id")
    )
    return list(queryset[:limit] if limit else queryset)


# --- today ---------------------------------------------------------------------------------

@dataclass
class TodayData:
    now: datetime
    overdue: list[Activity] = field(default_factory=list)
    due_today: list[Activity] = field(default_factory=list)
    reminders: list[Activity] = field(default_factory=list)
    follow_ups: list[Activity] = field(default_factory=list)
    reclaim_warnings: list[Any] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.due_today or self.reminders or self.follow_ups
                    or self.reclaim_warnings)


def today_for(*, viewer: User, now: datetime | None = None, limit: int = 50) -> TodayData:
    """The viewer's own day: overdue and due tasks, reminders that have come up, scheduled
    calls/visits/meetings (follow-ups) for today, and pool accounts about to be reclaimed."""
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    mine = (
        Activity.objects.filter(owner=viewer, done_at__isnull=True)
        .select_related("account", "target_type").order_by("due_at", "id")
    )
    data = TodayData(now=now)
    data.overdue = list(mine.filter(kind=ActivityKind.TASK, due_at__lt=start)[:limit])
    data.due_today = list(mine.filter(kind=ActivityKind.TASK, due_at__gte=start,
                                      due_at__lt=end)[:limit])
    data.reminders = list(
        mine.filter(remind_at__lte=now).exclude(due_at__lt=end, kind=ActivityKind.TASK)
        .order_by("remind_at", "id")[:limit]
    )
    data.follow_ups = list(
        mine.exclude(kind__in=[ActivityKind.TASK, ActivityKind.LOG])
        .filter(due_at__lt=end).order_by("due_at", "id")[:limit]
    )
    try:
        from crm.pool.selectors import reclaim_warnings_for
    except ImportError:  # the pool app is optional for the Today page
        data.reclaim_warnings = []
    else:
        data.reclaim_warnings = reclaim_warnings_for(viewer=viewer, now=now)[:limit]
    return data


# --- nearby accounts -----------------------------------------------------------------------

def _distance_km(latitude: float, longitude: float) -> Any:
    """Haversine distance in km from a point to the account's stored location (plain SQL
    maths, no PostGIS)."""
    lat = Radians(Cast(F("location__latitude"), FloatField()))
    lon = Radians(Cast(F("location__longitude"), FloatField()))
    origin_lat = Radians(Value(float(latitude), output_field=FloatField()))
    origin_lon = Radians(Value(float(longitude), output_field=FloatField()))
    half_chord = (
        Power(Sin((lat - origin_lat) / 2), 2)
        + Cos(origin_lat) * Cos(lat) * Power(Sin((lon - origin_lon) / 2), 2)
    )
    # LEAST(1, ...) guards asin against rounding just above 1 for antipodal points.
    return Value(2 * EARTH_RADIUS_KM, output_field=FloatField()) * ASin(
        Sqrt(Least(Value(1.0, output_field=FloatField()), half_chord))
    )


def nearby_accounts(*, viewer: User, latitude: float | Decimal, longitude: float | Decimal,
                    radius_km: float | None = 50.0, limit: int = 20) -> list[Account]:
    """Visible accounts with a known location, nearest first, each with ``distance_km``.
    A bounding box on latitude narrows the rows before the exact distance is computed."""
    latitude, longitude = float(latitude), float(longitude)
    queryset = account_visible_queryset(viewer=viewer).filter(location__isnull=False)
    if radius_km:
        degrees = radius_km / 111.0
        queryset = queryset.filter(
            location__latitude__gte=latitude - degrees,
            location__latitude__lte=latitude + degrees,
        )
    queryset = queryset.annotate(distance_km=_distance_km(latitude, longitude))
    if radius_km:
        queryset = queryset.filter(distance_km__lte=radius_km)
    return list(
        queryset.select_related("owner", "location").order_by("distance_km", "pk")[:limit]
    )


def activity_kind_choices() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in ActivityKind.choices]


def owner_choices() -> QuerySet[User]:
    return User.objects.filter(is_active=True, kind="staff").only(
        "pk", "first_name", "last_name", "email"
    )

