"""The dashboard reports (crm.reports) at BENCH_OPPORTUNITIES opportunities (default
1,000,000): p50/p95 server time of each sales report through the API (the WSGI handler,
GET /api/v1/reports/<slug>/, default period = this year) as a manager of one team and as an
admin, and of the manager's dashboard page (/crm/reports/, every tile computed).

Rows are built inside PostgreSQL with ``INSERT ... SELECT generate_series`` in a bench tenant
(discarded afterwards): 50 reps in 5 teams, 20,000 accounts, the opportunities spread over
three years (about 45 % open, 35 % won, 20 % lost; 10 % in EUR) with their stage history,
BENCH_ACTIVITIES calls and visits (default 1,000,000), and 50,000 each of converted leads,
sent quotes, booked orders and payments. ``BENCH_KEEP_TENANT=1`` keeps the seeded tenant;
``BENCH_REPORTS_TENANT=<slug>`` measures again on a kept tenant without seeding. Run alone
(writes results/reports.json):
``DJANGO_SETTINGS_MODULE=config.settings.local python benchmarks/reports_bench.py`` or
``BENCH_ONLY=reports make bench``.
"""

from __future__ import annotations

import os
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

OPPORTUNITIES = int(os.environ.get("BENCH_OPPORTUNITIES", "1000000"))
ACTIVITIES = int(os.environ.get("BENCH_ACTIVITIES", "1000000"))
OTHERS = int(os.environ.get("BENCH_REPORT_OTHERS", "50000"))
ACCOUNTS = 20000
REPS, TEAMS = 50, 5
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "15"))
SLUGS = ("funnel", "forecast", "win-rate", "rep-kpis")

# Every NOT NULL column (Django defaults are not database defaults). g spreads the deals over
# three years around today; stage: 45 % open (spread over the open stages), 35 % won, 20 %
# lost; created 10-200 days before the expected close; closed deals closed on that day.
OPPORTUNITY_SQL = """
INSERT INTO crm_sales_opportunity (
    account_id, name, amount, currency, close_date, pipeline_id, stage_id, probability,
    probability_overridden, owner_id, competitors, next_step, lost_reason, closed_at,
    created_at, updated_at)
SELECT a.account_id, 'Bench deal ' || g, (1000 + (g::bigint * 7919) %% 99000)::numeric(16, 2),
       CASE WHEN g %% 10 = 0 THEN 'EUR' ELSE 'USD' END,
       a.close_date, %(pipeline)s, a.stage_id, a.probability, false,
       (%(reps)s::bigint[])[1 + g %% %(rep_count)s], '{}', '',
       CASE WHEN a.kind = 'lost' THEN 'Price' ELSE '' END,
       CASE WHEN a.kind = 'open' THEN NULL ELSE a.close_date::timestamptz + interval '12 hours'
       END,
       a.close_date::timestamptz - ((10 + g %% 190) || ' days')::interval,
       now()
FROM generate_series(1, %(count)s) AS g,
LATERAL (
    SELECT %(first_account)s + (g %% %(accounts)s) AS account_id,
           (current_date - 730 + (g %% 1095))::date AS close_date,
           CASE WHEN g %% 20 < 9 THEN 'open' WHEN g %% 20 < 16 THEN 'won' ELSE 'lost' END
               AS kind,
           CASE WHEN g %% 20 < 9 THEN (%(open_stages)s::bigint[])[1 + (g / 20) %% %(opens)s]
                WHEN g %% 20 < 16 THEN %(won)s ELSE %(lost)s END AS stage_id,
           CASE WHEN g %% 20 < 9 THEN (%(open_probabilities)s::int[])[1 + (g / 20) %% %(opens)s]
                WHEN g %% 20 < 16 THEN 100 ELSE 0 END AS probability
) AS a
"""

# Each deal's history: every open stage up to its own (won deals: all of them, then won;
# lost deals: the first stage, then lost).
HISTORY_SQL = """
INSERT INTO crm_sales_stagehistory (opportunity_id, stage_id, entered_at, overridden,
                                    override_reason)
SELECT o.id, s.id, o.created_at + (s."order" || ' days')::interval, false, ''
FROM crm_sales_opportunity o
JOIN crm_sales_stage cur ON cur.id = o.stage_id
JOIN crm_sales_stage s ON s.pipeline_id = o.pipeline_id AND (
    s.id = o.stage_id
    OR (NOT s.is_won AND NOT s.is_lost AND (
        (cur.is_won) OR (cur.is_lost AND s."order" = %(first_order)s)
        OR (NOT cur.is_won AND NOT cur.is_lost AND s."order" < cur."order"))))
"""

ACTIVITY_SQL = """
INSERT INTO crm_activities_activity (kind, subject, notes, owner_id, account_id, occurred_at,
                                     address, created_at, updated_at)
SELECT CASE WHEN g %% 3 = 0 THEN 'visit' ELSE 'call' END, 'Bench activity ' || g, '',
       (%(reps)s::bigint[])[1 + g %% %(rep_count)s], %(first_account)s + (g %% %(accounts)s),
       now() - ((g %% 1095) || ' days')::interval, '', now(), now()
FROM generate_series(1, %(count)s) AS g
"""

LEAD_SQL = """
INSERT INTO crm_leads_lead (source, status, disqualified_reason, company, first_name,
    last_name, title, phone, email, message, region, owner_id, score, converted_at,
    created_at, updated_at)
SELECT 'manual', 'converted', '', 'Bench lead ' || g, '', '', '', '', '', '', '',
       (%(reps)s::bigint[])[1 + g %% %(rep_count)s], 0,
       now() - ((g %% 1095) || ' days')::interval, now(), now()
FROM generate_series(1, %(count)s) AS g
"""

QUOTE_SQL = """
INSERT INTO crm_quotes_quote (number, revision, account_id, owner_id, status, currency,
    language, terms, note, discount_percent, subtotal, tax_total, total, sent_at,
    accepted_by_name, rejected_reason, created_at, updated_at)
SELECT 'QB-' || g, 1, %(first_account)s + (g %% %(accounts)s),
       (%(reps)s::bigint[])[1 + g %% %(rep_count)s], 'sent', 'USD', '', '', '', 0, 1000, 0,
       1000, now() - ((g %% 1095) || ' days')::interval, '', '', now(), now()
FROM generate_series(1, %(count)s) AS g
"""

ORDER_SQL = """
INSERT INTO crm_orders_order (number, revision, kind, account_id, owner_id, status, currency,
    ordered_on, delivery_terms, payment_terms, discount_percent, subtotal, tax_total, total,
    approval_plan, created_at, updated_at)
SELECT 'OB-' || g, 1, 'order', %(first_account)s + (g %% %(accounts)s),
       (%(reps)s::bigint[])[1 + g %% %(rep_count)s], 'approved',
       CASE WHEN g %% 10 = 0 THEN 'EUR' ELSE 'USD' END,
       current_date - (g %% 1095), '', '', 0, 5000, 0, 5000, '[]', now(), now()
FROM generate_series(1, %(count)s) AS g
"""

PAYMENT_SQL = """
INSERT INTO crm_receivables_payment (order_id, amount, paid_on, reference, created_at)
SELECT id, 2500, ordered_on + 30, '', now() FROM crm_orders_order
"""


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(p95 * 1000, 1), "samples": len(ordered)}


def _seed() -> dict[str, float]:
    from crm.accounts.models import Account
    from crm.core.models import Team
    from crm.sales.services import default_pipeline_ensure
    from tenants.users.models import Role, User, UserKind

    timings: dict[str, float] = {}
    managers = User.objects.bulk_create([
        User(email=f"manager{index}@bench.test", role=Role.MANAGER, kind=UserKind.STAFF,
             password="!", first_name="Manager", last_name=str(index))
        for index in range(TEAMS)])
    reps = User.objects.bulk_create([
        User(email=f"rep{index}@bench.test", role=Role.SALES_REP, kind=UserKind.STAFF,
             password="!", first_name="Rep", last_name=str(index)) for index in range(REPS)])
    rep_ids = [rep.pk for rep in reps]
    for index, manager in enumerate(managers):
        team = Team.objects.create(name=f"Bench team {index}")
        team.managers.set([manager])
        team.members.set(rep_ids[index::TEAMS])
    Account.objects.bulk_create([Account(name=f"Bench Account {index}",
                                         name_normalized=f"bench account {index}")
                                 for index in range(ACCOUNTS)], batch_size=5000)
    first_account = Account.objects.order_by("pk").values_list("pk", flat=True).first()
    pipeline = default_pipeline_ensure()
    stages = list(pipeline.stages.order_by("order"))
    opens = [stage for stage in stages if not stage.is_closed]
    common = {"reps": rep_ids, "rep_count": len(rep_ids), "first_account": first_account,
              "accounts": ACCOUNTS}
    steps = [
        ("crm_sales_opportunity", OPPORTUNITY_SQL, {
            **common, "count": OPPORTUNITIES, "pipeline": pipeline.pk,
            "open_stages": [s.pk for s in opens], "opens": len(opens),
            "open_probabilities": [s.probability for s in opens],
            "won": next(s.pk for s in stages if s.is_won),
            "lost": next(s.pk for s in stages if s.is_lost)}),
        ("crm_sales_stagehistory", HISTORY_SQL, {"first_order": opens[0].order}),
        ("crm_activities_activity", ACTIVITY_SQL, {**common, "count": ACTIVITIES}),
        ("crm_leads_lead", LEAD_SQL, {**common, "count": OTHERS}),
        ("crm_quotes_quote", QUOTE_SQL, {**common, "count": OTHERS}),
        ("crm_orders_order", ORDER_SQL, {**common, "count": OTHERS}),
        ("crm_receivables_payment", PAYMENT_SQL, {}),
    ]
    with connection.cursor() as cursor:
        for name, sql, params in steps:
            started = time.perf_counter()
            _insert_without_indexes(cursor, name, sql, params)
            timings[name] = round(time.perf_counter() - started, 2)
            print(f"  seeded {name} in {timings[name]}s", flush=True)
        started = time.perf_counter()
        for table in ("crm_sales_opportunity", "crm_sales_stagehistory",
                      "crm_activities_activity", "crm_leads_lead", "crm_quotes_quote",
                      "crm_orders_order", "crm_receivables_payment", "crm_accounts_account"):
            # VACUUM too: index-only scans need the visibility map a fresh table lacks.
            cursor.execute(f"VACUUM ANALYZE {table}")
        timings["analyze"] = round(time.perf_counter() - started, 2)
    return timings


def _insert_without_indexes(cursor: object, table: str, sql: str, params: dict) -> None:
    """Bulk-load ``table``: drop its secondary indexes, insert, build them again (one index
    build is several times faster than maintaining it row by row)."""
    cursor.execute(  # type: ignore[attr-defined]
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
        "JOIN pg_namespace n ON n.oid = t.relnamespace "
        "WHERE n.nspname = current_schema() AND t.relname = %s "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
        [table])
    indexes = cursor.fetchall()  # type: ignore[attr-defined]
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')  # type: ignore[attr-defined]
    cursor.execute(sql, params)  # type: ignore[attr-defined]
    for _name, definition in indexes:
        cursor.execute(definition)  # type: ignore[attr-defined]


def _time_get(client: Client, url: str, tenant: object) -> float:
    started = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - started
    connection.set_tenant(tenant)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return seconds


def run() -> dict[str, object]:
    from tenants.models import Tenant
    from tenants.provisioning.services import tenant_discard, tenant_provision
    from tenants.users.models import User

    reuse = os.environ.get("BENCH_REPORTS_TENANT", "")
    if reuse:
        # Measure again on a tenant seeded by an earlier run (kept, not discarded).
        tenant = Tenant.objects.get(slug=reuse)
        slug = reuse
    else:
        slug = f"bench-rep-{uuid.uuid4().hex[:8]}"
        job = tenant_provision(name="Bench Reports", slug=slug,
                               admin_email=f"admin@{slug}.test",
                               admin_password="Bench-password-123", run_inline=True)
        if job.tenant is None:
            raise RuntimeError(job.error)
        tenant = job.tenant
    try:
        with tenant_context(tenant):
            started = time.perf_counter()
            seed = {} if reuse else _seed()
            seed["total"] = round(time.perf_counter() - started, 2)
            viewers = {"manager": User.objects.get(email="manager0@bench.test"),
                       "admin": User.objects.get(email=f"admin@{slug}.test")}
            clients = {}
            for key, user in viewers.items():
                clients[key] = Client(HTTP_HOST=tenant.primary_host)
                clients[key].force_login(user)
            reports: dict[str, object] = {}
            for key, client in clients.items():
                for report in SLUGS:
                    url = f"/api/v1/reports/{report}/"
                    _time_get(client, url, tenant)  # warm the caches once
                    samples = [_time_get(client, url, tenant) for _ in range(SAMPLES)]
                    reports[f"{report} ({key})"] = _percentiles(samples)
                    print(f"  {report} as {key}: {reports[f'{report} ({key})']}", flush=True)
            _time_get(clients["manager"], "/crm/reports/", tenant)
            dashboard = _percentiles([_time_get(clients["manager"], "/crm/reports/", tenant)
                                      for _ in range(SAMPLES)])
            print(f"  manager dashboard page: {dashboard}", flush=True)
        return {
            "opportunities": OPPORTUNITIES, "activities": ACTIVITIES,
            "leads_quotes_orders_payments_each": OTHERS, "reps": REPS, "teams": TEAMS,
            "seed_seconds": seed, "period": "this year (default)",
            "report_api_server_time": reports,
            "manager_dashboard_page_server_time": dashboard,
            "target_ms": 300,
        }
    finally:
        connection.set_schema_to_public()
        if not reuse and not os.environ.get("BENCH_KEEP_TENANT"):
            tenant_discard(tenant=Tenant.objects.get(pk=tenant.pk))


if __name__ == "__main__":
    import json

    from django.core.management import call_command

    call_command("setup_platform", no_warm_pool=True, verbosity=0)
    connection.set_schema_to_public()
    result = run()
    print(json.dumps(result, indent=2))
    out = Path(__file__).resolve().parent / "results" / "reports.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
