"""Quote benchmarks (issue 9): the totals rule on a 500-line quote (the rule alone, and a
whole ``quote_create`` with pricing and storing), and the quote list at BENCH_QUOTES quotes
(default 100,000; two lines each) through the API and the HTML page, each beside the raw SQL
of the same page. Seeds a throw-away tenant by bulk insert and discards it afterwards.

    python benchmarks/quotes_bench.py      # writes benchmarks/results/quotes.json
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()

from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from benchmarks.crm_bench import _percentiles
from crm.accounts.models import Account
from crm.catalog.models import PriceBook, PriceBookEntry, PriceBookKind, Product
from crm.core.money import TotalsLine, document_totals
from crm.quotes.models import Quote, QuoteLine, QuoteStatus
from crm.quotes.selectors import quote_list
from crm.quotes.services import QuoteLineInput, quote_create
from tenants.models import Tenant
from tenants.provisioning.services import tenant_discard, tenant_provision
from tenants.users.models import User

QUOTES = int(os.environ.get("BENCH_QUOTES", "100000"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "40"))
LINES = 500
D = Decimal


def _seed(admin: User) -> tuple[Account, list[Product]]:
    rng = random.Random(9)
    accounts = Account.objects.bulk_create(
        [Account(name=f"Quote bench customer {i}", name_normalized=f"quote bench customer {i}",
                 owner=admin) for i in range(200)])
    products = Product.objects.bulk_create(
        [Product(sku=f"B-{i}", name=f"Bench product {i}", currency="CNY",
                 list_price=D(rng.randint(10, 5000)), tax_rate=D(13)) for i in range(50)])
    book = PriceBook.objects.create(name="Standard", kind=PriceBookKind.STANDARD,
                                    currency="CNY", valid_from=timezone.localdate()
                                    - timedelta(days=30))
    PriceBookEntry.objects.bulk_create([PriceBookEntry(book=book, product=p,
                                                       unit_price=p.list_price)
                                        for p in products])
    statuses = [s for s in QuoteStatus.values if s != QuoteStatus.SUPERSEDED]
    now = timezone.now()
    batch: list[Quote] = []
    for index in range(QUOTES):
        batch.append(Quote(
            number=f"Q-2026-{index:06d}", account=rng.choice(accounts), owner=admin,
            created_by=admin, status=rng.choice(statuses), currency="CNY",
            valid_until=timezone.localdate() + timedelta(days=rng.randint(-30, 60)),
            subtotal=D("2000.00"), tax_total=D("260.00"), total=D("2260.00")))
        if len(batch) == 5000:
            _insert(batch, products, now, rng)
            batch = []
    if batch:
        _insert(batch, products, now, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE crm_quotes_quote")
        cursor.execute("ANALYZE crm_quotes_quoteline")
    return accounts[0], products


def _insert(batch: list[Quote], products: list[Product], now: object,
            rng: random.Random) -> None:
    quotes = Quote.objects.bulk_create(batch)
    QuoteLine.objects.bulk_create([
        QuoteLine(quote=quote, position=position, product=rng.choice(products),
                  description="Bench line", quantity=D(1), unit_price=D("1000.00"),
                  tax_rate=D(13), line_net=D("1000.00"), line_tax=D("130.00"))
        for quote in quotes for position in (1, 2)])


def _timed(samples: int, call: object) -> list[float]:
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return timings


def _raw(sql_and_params: list[tuple[str, tuple]]) -> None:
    with connection.cursor() as cursor:
        for sql, params in sql_and_params:
            cursor.execute(sql, params)
            cursor.fetchall()


def _explain(sql_and_params: tuple[str, tuple]) -> float:
    """PostgreSQL's own execution time of the query (EXPLAIN ANALYZE), in ms."""
    sql, params = sql_and_params
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return round(float(plan[0]["Execution Time"]), 2)


def run() -> dict[str, object]:
    slug = f"bench-quotes-{uuid.uuid4().hex[:8]}"
    job = tenant_provision(name="Bench Quotes", slug=slug, admin_email=f"admin@{slug}.test",
                           admin_password="Bench-password-123", run_inline=True)
    tenant = job.tenant
    if tenant is None:
        raise RuntimeError(job.error)
    try:
        with tenant_context(tenant):
            admin = User.objects.get(email=f"admin@{slug}.test")
            rng = random.Random(3)
            totals_lines = [TotalsLine(quantity=D(rng.randint(1, 50)),
                                       unit_price=D(rng.randint(100, 999999)) / 100,
                                       discount_percent=D(rng.randint(0, 30)),
                                       tax_rate=D(rng.choice([0, 6, 9, 13])))
                            for _ in range(LINES)]
            rule = _timed(SAMPLES, lambda: document_totals(
                totals_lines, currency="CNY", document_discount_percent=D(3)))
            started = time.perf_counter()
            account, products = _seed(admin)
            seed_seconds = time.perf_counter() - started
            inputs = [QuoteLineInput(product=rng.choice(products), quantity=D(rng.randint(1, 9)),
                                     discount_percent=D(rng.randint(0, 10)))
                      for _ in range(LINES)]
            create = _timed(5, lambda: quote_create(account=account, actor=admin,
                                                    lines=inputs))

            client = Client(HTTP_HOST=tenant.primary_host)
            client.force_login(admin)
            connection.set_tenant(tenant)
            api_page = quote_list(viewer=admin).order_by("-id")[:51]
            api_sql = api_page.query.sql_with_params()
            ids = list(api_page.values_list("pk", flat=True))
            lines_sql = (QuoteLine.objects.filter(quote_id__in=ids)
                         .select_related("product").order_by("position", "pk")
                         .query.sql_with_params())
            html_page = (quote_list(viewer=admin).exclude(status=QuoteStatus.SUPERSEDED)
                         [:51])
            html_sql = html_page.query.sql_with_params()

            def api_call() -> None:
                response = client.get("/api/v1/quotes/?page_size=50")
                assert response.status_code == 200, response.status_code
                connection.set_tenant(tenant)

            def page_call() -> None:
                response = client.get("/crm/quotes/")
                assert response.status_code == 200, response.status_code
                connection.set_tenant(tenant)

            api_call(), page_call()  # warm up
            api = _timed(SAMPLES, api_call)
            api_raw = _timed(SAMPLES, lambda: _raw([api_sql, lines_sql]))
            page = _timed(SAMPLES, page_call)
            page_raw = _timed(SAMPLES, lambda: _raw([html_sql]))
            plans = {name: _explain(sql) for name, sql in (
                ("api_page", api_sql), ("api_lines", lines_sql), ("html_page", html_sql))}
        api_stats, api_raw_stats = _percentiles(api), _percentiles(api_raw)
        page_stats, page_raw_stats = _percentiles(page), _percentiles(page_raw)
        return {
            "quotes": QUOTES, "quote_lines": QUOTES * 2, "seed_seconds": round(seed_seconds, 1),
            "totals_rule_500_lines": _percentiles(rule),
            "quote_create_500_lines_priced_and_stored": _percentiles(create),
            "quotes_api_list_page_50": api_stats,
            "quotes_api_raw_sql_same_page": api_raw_stats,
            "quotes_api_to_sql_ratio_p50": round(
                api_stats["p50_ms"] / max(api_raw_stats["p50_ms"], 0.01), 1),
            "quotes_html_list_page_50": page_stats,
            "quotes_html_raw_sql_same_page": page_raw_stats,
            "postgres_execution_ms": plans,
            "quotes_html_to_sql_ratio_p50": round(
                page_stats["p50_ms"] / max(page_raw_stats["p50_ms"], 0.01), 1),
        }
    finally:
        connection.set_schema_to_public()
        tenant_discard(tenant=Tenant.objects.get(pk=tenant.pk))


if __name__ == "__main__":
    result = run()
    out = Path(__file__).resolve().parent / "results" / "quotes.json"
    out.write_text(json.dumps({"generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                             time.gmtime()), **result},
                              indent=2) + "\n")
    print(json.dumps(result, indent=2))
