"""Reads of the operator console. Counts and metadata only: nothing here selects a column of
a tenant's CRM records (row counts come from the catalogue or COUNT(*), sizes from
pg_total_relation_size, staff activity from MAX(last_login)).

The tenants list reads public-schema rows plus one aggregate query over the page's
schemas; the heavy per-tenant figures (storage, row counts) are for the detail page only.
"""

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models import LIVE_STATUSES, ProvisioningJob, Tenant, TenantKind, TenantStatus
from tenants.users.models import UserKind

logger = logging.getLogger(__name__)

# The main CRM tables whose sizes the detail page shows: (model label, what to call it).
MAIN_TABLES = (
    ("crm_accounts.Account", _("Accounts")),
    ("crm_accounts.Contact", _("Contacts")),
    ("crm_leads.Lead", _("Leads")),
    ("crm_sales.Opportunity", _("Opportunities")),
    ("crm_activities.Activity", _("Activities")),
)
# Below this estimate an exact COUNT(*) is cheap and the estimate is least reliable.
EXACT_COUNT_BELOW = 10_000


# Tenants list -----------------------------------------------------------------------------

@dataclass(frozen=True)
class TenantFilters:
    q: str = ""
    status: str = ""
    plan: str = ""


def operator_tenant_list(*, filters: TenantFilters) -> QuerySet[Tenant]:
    """Customer tenants (never the public, template or spare rows), newest first, with
    their billing account, plan and domains loaded."""
    tenants = Tenant.objects.filter(kind=TenantKind.CUSTOMER)
    if filters.q:
        matching = Tenant.objects.filter(
            Q(name__icontains=filters.q) | Q(slug__icontains=filters.q)
            | Q(domains__domain__icontains=filters.q)
        ).values("pk")
        tenants = tenants.filter(pk__in=matching)
    if filters.status:
        tenants = tenants.filter(status=filters.status)
    if filters.plan:
        tenants = tenants.filter(plan_code=filters.plan)
    return (
        tenants.select_related("billing__plan").prefetch_related("domains")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class StaffStats:
    active_staff: int = 0
    last_login: datetime | None = None


def existing_schemas(names: list[str]) -> set[str]:
    if not names:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name = ANY(%s)",
            [names],
        )
        return {row[0] for row in cursor.fetchall()}


def staff_stats(tenants: list[Tenant]) -> dict[int, StaffStats]:
    """Active staff and their latest sign-in per tenant: one aggregate query over the given
    schemas (plus one to skip schemas that do not exist)."""
    customers = [t for t in tenants if t.kind == TenantKind.CUSTOMER]
    existing = existing_schemas([t.schema_name for t in customers])
    built = [t for t in customers if t.schema_name in existing]
    if not built:
        return {}
    # Schema names come from our own rows and pass django-tenants' name validator.
    sql = " UNION ALL ".join(
        "SELECT %s, COUNT(*) FILTER (WHERE is_active), MAX(last_login) "  # noqa: S608
        f'FROM "{t.schema_name}".users_user WHERE kind = %s'
        for t in built
    )
    params = [value for t in built for value in (t.pk, UserKind.STAFF)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {pk: StaffStats(count, last) for pk, count, last in cursor.fetchall()}


# Tenant detail ----------------------------------------------------------------------------

def operator_tenant_get(*, tenant_id: int | str) -> Tenant:
    """One customer tenant; the same 404 for a missing id, a garbage id and the public,
    template or spare rows."""
    try:
        pk = int(tenant_id)
    except (TypeError, ValueError):
        raise Http404 from None
    tenant = (
        Tenant.objects.select_related("billing__plan").prefetch_related("domains")
        .filter(pk=pk, kind=TenantKind.CUSTOMER).first()
    )
    if tenant is None:
        raise Http404
    return tenant


@dataclass(frozen=True)
class TableCount:
    label: str
    rows: int
    estimated: bool


@dataclass
class TenantFigures:
    schema_exists: bool
    database_bytes: int = 0
    media_bytes: int = 0
    tables: list[TableCount] = field(default_factory=list)
    staff: StaffStats = field(default_factory=StaffStats)


def schema_size_bytes(schema: str) -> int:
    """Tables, their indexes and TOAST of one schema, in one catalogue query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'm', 'p')",
            [schema],
        )
        return int(cursor.fetchone()[0])


def media_size_bytes(schema: str) -> int:
    """Bytes under the tenant's media folder (MEDIA_ROOT/<schema>/); 0 when it has none."""
    root = Path(settings.MEDIA_ROOT) / schema
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += (Path(dirpath) / name).stat().st_size
            except OSError:  # removed while walking
                continue
    return total


def table_counts(schema: str) -> list[TableCount]:
    """Row counts of the main CRM tables: the planner's estimate (pg_class.reltuples) for
    big tables, an exact COUNT(*) for small or never-analysed ones. No row is read."""
    tables = [(apps.get_model(label)._meta.db_table, name) for label, name in MAIN_TABLES]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reltuples FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = ANY(%s) AND c.relkind = 'r'",
            [schema, [table for table, _name in tables]],
        )
        estimates = {name: float(rows) for name, rows in cursor.fetchall()}
        small = [t for t, _n in tables if t in estimates and estimates[t] < EXACT_COUNT_BELOW]
        exact: dict[str, int] = {}
        if small:
            # Table names come from our models, the schema from our own row.
            cursor.execute(" UNION ALL ".join(
                f"SELECT %s, COUNT(*) FROM \"{schema}\".\"{table}\""  # noqa: S608
                for table in small
            ), small)
            exact = {name: int(count) for name, count in cursor.fetchall()}
    return [
        TableCount(label=str(name), rows=exact.get(table, int(max(estimates.get(table, 0), 0))),
                   estimated=table not in exact)
        for table, name in tables
        if table in estimates
    ]


def tenant_figures(*, tenant: Tenant) -> TenantFigures:
    """The detail page's heavy figures for one tenant (a few catalogue queries)."""
    if tenant.schema_name not in existing_schemas([tenant.schema_name]):
        return TenantFigures(schema_exists=False)
    return TenantFigures(
        schema_exists=True,
        database_bytes=schema_size_bytes(tenant.schema_name),
        media_bytes=media_size_bytes(tenant.schema_name),
        tables=table_counts(tenant.schema_name),
        staff=staff_stats([tenant]).get(tenant.pk, StaffStats()),
    )


# Provisioning -----------------------------------------------------------------------------

def provisioning_jobs(*, state: str = "") -> QuerySet[ProvisioningJob]:
    jobs = ProvisioningJob.objects.select_related("tenant").order_by("-created_at", "-pk")
    if state:
        jobs = jobs.filter(state=state)
    return jobs


# Overview ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueLength:
    name: str
    length: int | None  # None: the broker could not be asked


@dataclass
class Overview:
    by_status: list[tuple[str, str, int]]
    signups: list[tuple[str, int]]
    mrr: dict[str, Decimal]
    active_users: int
    queues: list[QueueLength]
    broker_problem: str
    failed_jobs: int
    recent_failed_jobs: list[ProvisioningJob]
    failed_events: int
    recent_failed_events: list


def signups_per_week(*, weeks: int = 12, now: datetime | None = None) -> list[tuple[str, int]]:
    """Customer sign-ups per ISO week (Monday), the last ``weeks`` weeks, zeros included."""
    now = now or timezone.now()
    this_monday = (now - timedelta(days=now.weekday())).date()
    first = this_monday - timedelta(weeks=weeks - 1)
    rows = (
        Tenant.objects.filter(kind=TenantKind.CUSTOMER, created_at__date__gte=first)
        .annotate(week=TruncWeek("created_at")).values("week").annotate(count=Count("pk"))
    )
    counts = {row["week"].date(): row["count"] for row in rows}
    return [
        ((first + timedelta(weeks=i)).isoformat(), counts.get(first + timedelta(weeks=i), 0))
        for i in range(weeks)
    ]


def tenants_by_status() -> list[tuple[str, str, int]]:
    counts = dict(
        Tenant.objects.filter(kind=TenantKind.CUSTOMER).values_list("status")
        .annotate(count=Count("pk")).values_list("status", "count")
    )
    return [(value, str(label), counts.get(value, 0)) for value, label in TenantStatus.choices]


def celery_queue_names() -> list[str]:
    names = [getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")]
    for queue in getattr(settings, "CELERY_TASK_QUEUES", None) or []:
        name = getattr(queue, "name", queue)
        if isinstance(name, str) and name not in names:
            names.append(name)
    return names


# Celery's Redis transport keeps priority levels 3, 6 and 9 in keys beside the queue's own.
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


def celery_queue_lengths() -> tuple[list[QueueLength], str]:
    """Messages waiting per Celery queue (LLEN on the Redis broker); when Redis cannot be
    reached the lengths are unknown and the second value says why."""
    import redis

    names = celery_queue_names()
    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_timeout=0.5, socket_connect_timeout=0.5
        )
        pipe = client.pipeline(transaction=False)
        for name in names:
            for suffix in _PRIORITY_SUFFIXES:
                pipe.llen(name + suffix)
        lengths = pipe.execute()
    except (redis.RedisError, OSError, ValueError) as exc:
        logger.warning("Celery broker unreachable for queue lengths: %s", exc)
        return [QueueLength(name, None) for name in names], str(
            _("The Celery broker (Redis) cannot be reached.")
        )
    step = len(_PRIORITY_SUFFIXES)
    return [
        QueueLength(name, sum(int(n) for n in lengths[i * step:(i + 1) * step]))
        for i, name in enumerate(names)
    ], ""


def operator_overview(*, now: datetime | None = None) -> Overview:
    from billing.models import StripeEvent
    from billing.selectors import mrr_by_currency

    queues, broker_problem = celery_queue_lengths()
    failed_jobs = provisioning_jobs(state=ProvisioningJob.State.FAILED)
    failed_events = StripeEvent.objects.exclude(error="").order_by("-received_at")
    return Overview(
        by_status=tenants_by_status(),
        signups=signups_per_week(now=now),
        mrr=mrr_by_currency(),
        active_users=Tenant.objects.filter(
            kind=TenantKind.CUSTOMER, status__in=LIVE_STATUSES
        ).aggregate(total=Sum("seats_used"))["total"] or 0,
        queues=queues,
        broker_problem=broker_problem,
        failed_jobs=failed_jobs.count(),
        recent_failed_jobs=list(failed_jobs[:10]),
        failed_events=failed_events.count(),
        recent_failed_events=list(
            failed_events.only("event_id", "type", "received_at", "attempts", "error")[:10]
        ),
    )
