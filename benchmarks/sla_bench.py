"""The SLA escalation sweep across many tenants (issue 10): beat sends one sweep per tenant
per minute, so what matters is the cost of one tenant's sweep with nothing due (one indexed
query) and with due requests.

Provisioning 200 schemas by clone takes minutes on the two-core benchmark machine, so this
measures BENCH_SLA_TENANTS tenants (default 20) and extrapolates linearly to 200 (the sweep
of one tenant touches only that schema; the cost per tenant does not depend on how many
other schemas exist). The output says so (``extrapolated_from``). Set BENCH_SLA_TENANTS=200
to measure 200 directly.

- nothing due: every tenant holds BENCH_SLA_IDLE requests (default 200) whose next check is
  in the future; each tenant is swept BENCH_SLA_ROUNDS times (search_path switch + sweep, as
  the task does), and the queries of one sweep are counted;
- 1,000 due: 1,000 requests past their due time spread evenly over the tenants; one sweep
  of every tenant escalates all of them (notifications included), then a second round with
  nothing due again.
E-mail queuing after commit is patched out (no worker drains the benchmark's broker); the
in-app notifications are written. Every tenant made here is discarded afterwards."""

from __future__ import annotations

import os
import statistics
import time
import uuid
from datetime import timedelta
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.accounts.models import Account
from crm.service.models import ServiceQueue, ServiceRequest, SlaPolicy
from crm.service.services.escalation import sla_escalation_sweep
from tenants.models import Tenant
from tenants.provisioning.services import tenant_discard, tenant_provision
from tenants.users.models import User

TENANTS = int(os.environ.get("BENCH_SLA_TENANTS", "20"))
TARGET_TENANTS = 200
DUE_TOTAL = int(os.environ.get("BENCH_SLA_DUE", "1000"))
IDLE_PER_TENANT = int(os.environ.get("BENCH_SLA_IDLE", "200"))
ROUNDS = int(os.environ.get("BENCH_SLA_ROUNDS", "10"))


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return {"p50_ms": _ms(statistics.median(ordered)), "p95_ms": _ms(p95),
            "mean_ms": _ms(statistics.fmean(ordered)), "samples": len(ordered)}


def _seed(tenant: Tenant) -> None:
    """A customer, a 24x7 policy and a queue with a manager (the escalation's recipient)."""
    connection.set_tenant(tenant)
    admin = User.objects.filter(is_active=True).order_by("pk").first()
    Account.objects.create(name="Bench customer", name_normalized="bench customer")
    SlaPolicy.objects.create(name="Bench 24x7", around_the_clock=True, targets=[
        {"severity": "normal", "first_response_minutes": 60, "resolution_minutes": 480}])
    ServiceQueue.objects.create(name="Bench queue", manager=admin)


def _requests(tenant: Tenant, *, due: int) -> None:
    """IDLE_PER_TENANT requests checked again in 30 minutes, and ``due`` requests whose
    first response was due 9 hours ago."""
    connection.set_tenant(tenant)
    ServiceRequest.objects.filter(number__startswith="SR-BENCH-").delete()
    account = Account.objects.get(name="Bench customer")
    policy = SlaPolicy.objects.get(name="Bench 24x7")
    queue = ServiceQueue.objects.get(name="Bench queue")
    now = timezone.now()
    rows = []
    for index in range(IDLE_PER_TENANT + due):
        late = index >= IDLE_PER_TENANT
        reported = now - timedelta(hours=10) if late else now
        rows.append(ServiceRequest(
            number=f"SR-BENCH-{index:06d}", account=account, subject="Bench", queue=queue,
            sla_policy=policy, reported_at=reported,
            first_response_due=reported + timedelta(hours=1),
            resolution_due=reported + timedelta(hours=8),
            next_sla_check_at=reported + timedelta(minutes=0 if late else 30)))
    ServiceRequest.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE crm_service_servicerequest")


def _sweep(tenant: Tenant) -> tuple[float, int, int]:
    connection.queries_log.clear()  # a full log (maxlen 9000) would hide this sweep's queries
    started = time.perf_counter()
    connection.set_tenant(tenant)
    # The in-app notifications are written; queuing their e-mails (after commit, to the
    # broker) is left out: no worker drains the benchmark's queue.
    with CaptureQueriesContext(connection) as queries, \
            mock.patch("crm.core.notifications._queue_emails"):
        result = sla_escalation_sweep()
    return time.perf_counter() - started, len(queries), result.escalations


def run() -> dict[str, object]:
    tenants: list[Tenant] = []
    started = time.perf_counter()
    try:
        for index in range(TENANTS):
            slug = f"bench-sla-{uuid.uuid4().hex[:8]}"
            job = tenant_provision(name=f"Bench SLA {index}", slug=slug,
                                   admin_email=f"admin@{slug}.test",
                                   admin_password="Bench-password-123", run_inline=True)
            if job.tenant is None:
                raise RuntimeError(job.error)
            tenants.append(job.tenant)
        provision_seconds = time.perf_counter() - started
        per_tenant_due = [DUE_TOTAL // TENANTS + (1 if i < DUE_TOTAL % TENANTS else 0)
                          for i in range(TENANTS)]
        for tenant in tenants:
            _seed(tenant)
            _requests(tenant, due=0)
        # Nothing due: every tenant swept ROUNDS times.
        idle, idle_queries = [], set()
        for _ in range(ROUNDS):
            for tenant in tenants:
                seconds, queries, _escalations = _sweep(tenant)
                idle.append(seconds)
                idle_queries.add(queries)
        # 1,000 due, spread over the tenants.
        for tenant, due in zip(tenants, per_tenant_due, strict=True):
            _requests(tenant, due=due)
        due_round, escalated = [], 0
        round_started = time.perf_counter()
        for tenant in tenants:
            seconds, _queries, escalations = _sweep(tenant)
            due_round.append(seconds)
            escalated += escalations
        due_round_seconds = time.perf_counter() - round_started
        after, after_queries = [], set()
        for tenant in tenants:
            seconds, queries, _escalations = _sweep(tenant)
            after.append(seconds)
            after_queries.add(queries)
        idle_stats = _stats(idle)
        idle_round_s = statistics.fmean(idle) * TARGET_TENANTS
        return {
            "tenants_measured": TENANTS,
            "extrapolated_to": TARGET_TENANTS,
            "extrapolated_from": (None if TENANTS >= TARGET_TENANTS else
                                  f"{TENANTS} schemas measured; 200-tenant figures are the "
                                  "per-tenant cost times 200"),
            "provision_seconds": round(provision_seconds, 1),
            "nothing_due": {
                "requests_per_tenant": IDLE_PER_TENANT, "per_tenant": idle_stats,
                # django-tenants' SET search_path on the switch, then the sweep's one query.
                "queries_per_tenant_incl_search_path": sorted(idle_queries),
                "round_of_200_tenants_s": round(idle_round_s, 3),
            },
            "due_1000": {
                "due_requests": DUE_TOTAL, "escalated": escalated,
                "round_measured_s": round(due_round_seconds, 3),
                "per_tenant": _stats(due_round),
                "round_of_200_tenants_s": round(
                    due_round_seconds + statistics.fmean(idle) * max(
                        TARGET_TENANTS - TENANTS, 0), 3),
                "next_round_queries_per_tenant_incl_search_path": sorted(after_queries),
                "next_round_per_tenant": _stats(after),
            },
        }
    finally:
        connection.set_schema_to_public()
        for tenant in tenants:
            tenant_discard(tenant=Tenant.objects.get(pk=tenant.pk))
