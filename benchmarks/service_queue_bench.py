"""The agent's queue (/crm/service/, crm.service.selectors.agent_queue) at BENCH_REQUESTS
service requests (default 1,000,000): p50/p95 of the selector's first page (ORM + SQL) and
of the whole page (server time through the WSGI handler), for random agents.

Rows are built inside PostgreSQL by one ``INSERT ... SELECT generate_series`` (the ORM would
take many minutes); about 10 % are open, spread over BENCH_AGENTS agents (default 50) in
five queues, 30 % of the open ones unassigned. The tenant is discarded afterwards.
Run alone (writes results/service_queue.json):
``DJANGO_SETTINGS_MODULE=config.settings.local python benchmarks/service_queue_bench.py``.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()

from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1000000"))
AGENTS = int(os.environ.get("BENCH_AGENTS", "50"))
ACCOUNTS = int(os.environ.get("BENCH_SERVICE_ACCOUNTS", "5000"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "60"))
QUEUES = 5

# One statement: every NOT NULL column the model has (Django defaults are not database
# defaults). Status: ~10 % open (new, assigned, in progress, waiting), the rest resolved or
# closed; the open ones 70 % assigned to an agent of their queue. Due times from a 24x7
# policy: 2 h to first response, 24 h to resolution.
INSERT_SQL = """
INSERT INTO crm_service_servicerequest (
    number, account_id, category, severity, subject, description, channel, status,
    queue_id, assignee_id, reported_at, first_response_due, resolution_due,
    first_response_at, resolved_at, closed_at, breached, first_response_breached,
    resolution_breached, rating_remark, created_at, updated_at)
SELECT
    'SR-B-' || g,
    %(first_account)s + (g %% %(accounts)s),
    '', (ARRAY['critical','high','normal','low'])[1 + g %% 4],
    'Bench request ' || g, '', 'portal',
    CASE WHEN (g / 5) %% 10 = 0 THEN (ARRAY['new','assigned','in_progress',
                                          'waiting_on_customer'])[1 + (g / 50) %% 4]
         ELSE (ARRAY['resolved','closed'])[1 + g %% 2] END,
    (%(queue_ids)s::bigint[])[1 + g %% %(queues)s],
    CASE WHEN (g / 5) %% 10 = 0 AND (g / 50) %% 4 = 0 THEN NULL  -- new: unassigned
         WHEN (g / 5) %% 10 = 0 AND (g / 200) %% 10 < 2 THEN NULL
         ELSE (%(agent_ids)s::bigint[])[1 + ((g %% %(queues)s)
               + %(queues)s * ((g / 1000) %% %(per_queue)s)) %% %(agents)s] END,
    now() - (g || ' seconds')::interval,
    now() - (g || ' seconds')::interval + interval '2 hours',
    now() - (g || ' seconds')::interval + interval '24 hours',
    CASE WHEN (g / 5) %% 10 = 0 AND (g / 50) %% 4 < 2 THEN NULL
         ELSE now() - (g || ' seconds')::interval + interval '1 hour' END,
    CASE WHEN (g / 5) %% 10 = 0 THEN NULL
         ELSE now() - (g || ' seconds')::interval + interval '5 hours' END,
    NULL, g %% 37 = 0, false, g %% 37 = 0, '', now(), now()
FROM generate_series(1, %(requests)s) AS g
"""


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(p95 * 1000, 2), "samples": len(ordered)}


def _seed() -> tuple[list[int], float]:
    from crm.accounts.models import Account
    from crm.service.models import ServiceQueue
    from tenants.users.models import Role, User, UserKind

    agents = User.objects.bulk_create([
        User(email=f"agent{index}@bench.test", role=Role.SERVICE_AGENT, kind=UserKind.STAFF,
             password="!", is_active=True) for index in range(AGENTS)])
    agent_ids = sorted(agent.pk for agent in agents)
    Account.objects.bulk_create([Account(name=f"Bench Customer {index}",
                                         name_normalized=f"bench customer {index}")
                                 for index in range(ACCOUNTS)], batch_size=5000)
    first_account = Account.objects.order_by("pk").values_list("pk", flat=True).first()
    queue_ids = []
    per_queue = max(1, AGENTS // QUEUES)
    for number in range(QUEUES):
        queue = ServiceQueue.objects.create(name=f"Bench queue {number}",
                                            is_default=number == 0)
        queue.agents.set(agent_ids[number::QUEUES])
        queue_ids.append(queue.pk)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL, {
            "first_account": first_account, "accounts": ACCOUNTS, "queue_ids": queue_ids,
            "queues": QUEUES, "agent_ids": agent_ids, "agents": AGENTS,
            "per_queue": per_queue, "requests": REQUESTS})
        cursor.execute("ANALYZE crm_service_servicerequest")
    return agent_ids, time.perf_counter() - started


def run() -> dict[str, object]:
    from crm.service.selectors import agent_queue
    from tenants.models import Tenant
    from tenants.provisioning.services import tenant_discard, tenant_provision
    from tenants.users.models import User

    slug = f"bench-svc-{uuid.uuid4().hex[:8]}"
    job = tenant_provision(name="Bench Service", slug=slug, admin_email=f"admin@{slug}.test",
                           admin_password="Bench-password-123", run_inline=True)
    tenant = job.tenant
    if tenant is None:
        raise RuntimeError(job.error)
    try:
        with tenant_context(tenant):
            agent_ids, seed_seconds = _seed()
            rng = random.Random(11)
            picks = [rng.choice(agent_ids) for _ in range(SAMPLES)]
            agents = {user.pk: user for user in User.objects.filter(pk__in=set(picks))}
            print(f"  seeded {REQUESTS} requests in {seed_seconds:.1f}s", flush=True)
            selector, rows = [], []
            for pk in picks:
                viewer = User.objects.get(pk=pk)  # fresh: no memoised visibility
                started = time.perf_counter()
                page = agent_queue(viewer=viewer)[0:51]
                selector.append(time.perf_counter() - started)
                rows.append(len(page))
            plan = []
            for half in agent_queue(viewer=agents[picks[0]]).branches():
                sql, params = half.values_list("due_at", "pk")[:51].query.sql_with_params()
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql, params)
                    plan += [line for (line,) in cursor.fetchall()]
            pages = []
            for pk in picks[:20]:
                client = Client(HTTP_HOST=tenant.primary_host)
                client.force_login(agents[pk])
                started = time.perf_counter()
                response = client.get("/crm/service/")
                pages.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
                connection.set_tenant(tenant)
        return {
            "requests": REQUESTS, "agents": AGENTS, "queues": QUEUES,
            "seed_seconds_insert_select": round(seed_seconds, 2),
            "agent_queue_selector_first_page": _percentiles(selector),
            "agent_queue_page_server_time": _percentiles(pages),
            "rows_on_first_page_min": min(rows),
            "plan": plan,
        }
    finally:
        connection.set_schema_to_public()
        tenant_discard(tenant=Tenant.objects.get(pk=tenant.pk))


if __name__ == "__main__":
    import json

    from django.core.management import call_command

    call_command("setup_platform", no_warm_pool=True, verbosity=0)
    connection.set_schema_to_public()
    result = run()
    print(json.dumps(result, indent=2))
    out = Path(__file__).resolve().parent / "results" / "service_queue.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
