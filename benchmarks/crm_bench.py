"""CRM benchmarks on one tenant with many accounts: duplicate check while typing, the
accounts API list (server time) against the raw SQL of the same page.

Seeds BENCH_ACCOUNTS accounts (default 20,000) into a throw-away tenant by bulk insert;
the tenant is discarded afterwards.
"""

import os
import random
import statistics
import time
import uuid

from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from crm.accounts.models import Account
from crm.accounts.normalize import domain_of, normalize_name, normalize_phone
from crm.accounts.selectors import duplicate_candidates
from tenants.models import Tenant
from tenants.provisioning.services import tenant_discard, tenant_provision
from tenants.users.models import User

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "20000"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "60"))

WORDS = ["Northwind", "Contoso", "Fabrikam", "Litware", "Adatum", "Tailspin", "Wingtip",
         "Proseware", "Fourth", "Coffee", "Alpine", "Blue", "Yonder", "Trey", "Lucerne",
         "Margie", "Datum", "Humongous", "Wide", "World", "Graphic", "Design", "Relecloud"]
KINDS = ["Trading", "Logistics", "Medical", "Robotics", "Foods", "Textiles", "Energy",
         "Analytics", "Systems", "Holdings", "Pharma", "Motors"]
ZH = ["华为", "中兴", "工商银行", "建设银行", "招商", "海尔", "美的", "格力", "联想", "比亚迪",
      "宁德", "万科", "平安", "腾讯", "阿里", "京东"]
ZH_CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京"]
ZH_KINDS = ["科技有限公司", "贸易有限公司", "物流集团", "医疗器械有限公司", "分公司"]


def _name(rng: random.Random, index: int) -> str:
    if rng.random() < 0.3:
        return f"{rng.choice(ZH_CITIES)}{rng.choice(ZH)}{rng.choice(ZH_KINDS)}{index}"
    return f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(KINDS)} {index} Ltd"


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(p95 * 1000, 2), "samples": len(ordered)}


def _seed(owner: User) -> list[str]:
    rng = random.Random(42)
    names = []
    batch = []
    for index in range(ACCOUNTS):
        name = _name(rng, index)
        names.append(name)
        phone = f"+86 21 {rng.randint(10000000, 99999999)}"
        website = f"https://www.{uuid.uuid4().hex[:10]}.example"
        batch.append(Account(
            name=name, name_normalized=normalize_name(name), phone=phone,
            phone_normalized=normalize_phone(phone), website=website,
            domain=domain_of(website), owner=owner if index % 3 else None,
            region=rng.choice(["North", "South", "East", "West"]),
        ))
        if len(batch) == 5000:
            Account.objects.bulk_create(batch)
            batch = []
    Account.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE crm_accounts_account")
    return names


def run() -> dict[str, object]:
    slug = f"bench-crm-{uuid.uuid4().hex[:8]}"
    job = tenant_provision(name="Bench CRM", slug=slug, admin_email=f"admin@{slug}.test",
                           admin_password="Bench-password-123", run_inline=True)
    tenant = job.tenant
    if tenant is None:
        raise RuntimeError(job.error)
    try:
        with tenant_context(tenant):
            admin = User.objects.get(email=f"admin@{slug}.test")
            started = time.perf_counter()
            names = _seed(admin)
            seed_seconds = time.perf_counter() - started
            rng = random.Random(7)
            typed = [rng.choice(names)[: rng.randint(6, 14)] for _ in range(SAMPLES)]
            duplicate_check = []
            for text in typed:
                started = time.perf_counter()
                duplicate_candidates(viewer=admin, name=text)
                duplicate_check.append(time.perf_counter() - started)

            client = Client(HTTP_HOST=tenant.primary_host)
            client.force_login(admin)
            api, sql = [], []
            queryset = Account.objects.select_related("owner", "parent").order_by("-id")[:51]
            raw_sql, params = queryset.query.sql_with_params()
            for _ in range(SAMPLES):
                started = time.perf_counter()
                response = client.get("/api/v1/accounts/?page_size=50")
                api.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
                connection.set_tenant(tenant)
                started = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute(raw_sql, params)
                    cursor.fetchall()
                sql.append(time.perf_counter() - started)
        api_stats, sql_stats = _percentiles(api), _percentiles(sql)
        return {
            "accounts": ACCOUNTS,
            "seed_seconds": round(seed_seconds, 2),
            "duplicate_check": _percentiles(duplicate_check),
            "accounts_api_list_page_50": api_stats,
            "accounts_raw_sql_same_page": sql_stats,
            "api_to_sql_ratio_p50": round(api_stats["p50_ms"] / max(sql_stats["p50_ms"], 0.01), 1),
        }
    finally:
        connection.set_schema_to_public()
        tenant_discard(tenant=Tenant.objects.get(pk=tenant.pk))
