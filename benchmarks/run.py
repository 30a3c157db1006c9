#!/usr/bin/env python
"""`make bench`: run the benchmarks and write benchmarks/results/latest.json.

Portal: inquiry submissions under 20 concurrent clients against gunicorn
(benchmarks/portal_bench.py; ``BENCH_ONLY=portal`` runs only that and merges its figures
into the file).

Reports: each dashboard report and the manager's dashboard page at 1M opportunities
(benchmarks/reports_bench.py; ``BENCH_ONLY=reports`` runs only that and merges its figures
into the file).

Provisioning: median seconds to provision a tenant by cloning the template schema, by full
migrations, and from the warm pool, each over several runs, and their ratios; the CRM
benchmarks (benchmarks/crm_bench.py); the SLA escalation sweep over many tenants
(benchmarks/sla_bench.py). Every tenant made here is discarded afterwards.
"""

import json
import os
import platform as stdlib_platform
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import override_settings  # noqa: E402

from tenants.models import Tenant  # noqa: E402
from tenants.provisioning import warm_pool  # noqa: E402
from tenants.provisioning.services import tenant_discard, tenant_provision  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
MIGRATION_RUNS = int(os.environ.get("BENCH_MIGRATION_RUNS", "3"))
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"


def provision_once() -> tuple[float, float, bool]:
    slug = f"bench-{uuid.uuid4().hex[:10]}"
    started = time.perf_counter()
    job = tenant_provision(name="Bench Co", slug=slug, admin_email=f"admin@{slug}.test",
                           admin_password="Bench-password-123", run_inline=True)
    seconds = time.perf_counter() - started
    if job.tenant is None:
        raise RuntimeError(job.error)
    used_spare = job.used_warm_spare
    tenant_discard(tenant=Tenant.objects.get(pk=job.tenant.pk))
    # job.seconds: from the queued job to a ready tenant (schema + every provisioning step);
    # `seconds` adds the sign-up's own work (validation, password hashing, rows).
    return job.seconds, seconds, used_spare


def measure(label: str, runs: int, **overrides: object) -> dict[str, object]:
    timings = []
    totals = []
    spares = 0
    for _ in range(runs):
        with override_settings(**overrides):
            if overrides.get("TENANT_WARM_POOL_SIZE"):
                warm_pool.refill(1)  # refill is not part of a sign-up's wait
            seconds, total, used_spare = provision_once()
        timings.append(seconds)
        totals.append(total)
        spares += used_spare
        print(f"  {label}: ready in {seconds:.3f}s, sign-up call {total:.3f}s"
              f"{' (warm spare)' if used_spare else ''}", flush=True)
    return {"runs": runs, "median_s": round(statistics.median(timings), 4),
            "min_s": round(min(timings), 4), "max_s": round(max(timings), 4),
            "median_signup_call_s": round(statistics.median(totals), 4),
            "used_warm_spare": spares}


def main() -> int:
    call_command("setup_platform", no_warm_pool=True, verbosity=0)
    connection.set_schema_to_public()
    if os.environ.get("BENCH_ONLY") == "portal":
        return portal_only()
    if os.environ.get("BENCH_ONLY") == "reports":
        return reports_only()
    print("Provisioning benchmarks", flush=True)
    clone = measure("clone", RUNS, TENANT_WARM_POOL_SIZE=0)
    migrations = measure("migrations", MIGRATION_RUNS, TENANT_WARM_POOL_SIZE=0,
                         TENANT_CREATION_FAKES_MIGRATIONS=False)
    warm = measure("warm pool", RUNS, TENANT_WARM_POOL_SIZE=1)
    print("CRM benchmarks", flush=True)
    from benchmarks.crm_bench import run as run_crm

    crm = run_crm()
    print(json.dumps(crm, indent=2), flush=True)
    print("Import benchmarks", flush=True)
    from benchmarks.import_bench import run as run_imports

    imports = run_imports()
    print(json.dumps(imports, indent=2), flush=True)
    print("Quote benchmarks", flush=True)
    from benchmarks.quotes_bench import run as run_quotes

    quotes = run_quotes()
    print(json.dumps(quotes, indent=2), flush=True)
    print("Service: the agent queue at 1M requests", flush=True)
    from benchmarks.service_queue_bench import run as run_service_queue

    service_queue = run_service_queue()
    print(json.dumps({k: v for k, v in service_queue.items() if k != "plan"}, indent=2),
          flush=True)
    print("SLA escalation sweep benchmarks", flush=True)
    from benchmarks.sla_bench import run as run_sla

    sla_sweep = run_sla()
    print(json.dumps(sla_sweep, indent=2), flush=True)
    reports = run_reports()
    portal = run_portal()
    results = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": sys.version.split()[0], "cpus": os.cpu_count(),
                    "system": stdlib_platform.platform()},
        "provisioning": {
            "clone": clone,
            "full_migrations": migrations,
            "warm_pool": warm,
            "ratio_migrations_to_clone": round(migrations["median_s"] / clone["median_s"], 2),
            "ratio_clone_to_warm_pool": round(clone["median_s"] / warm["median_s"], 2),
        },
        "crm": crm,
        "imports": imports,
        "quotes": quotes,
        "service_agent_queue": service_queue,
        "sla_sweep": sla_sweep,
        "portal_inquiry": portal,
        "reports": reports,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["provisioning"], indent=2))
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


def run_portal() -> dict[str, object]:
    print("Portal inquiry benchmark", flush=True)
    from benchmarks.portal_bench import run

    portal = run()
    print(json.dumps(portal, indent=2), flush=True)
    return portal


def run_reports() -> dict[str, object]:
    print("Reports: the dashboards at 1M opportunities", flush=True)
    from benchmarks.reports_bench import run

    reports = run()
    print(json.dumps(reports, indent=2), flush=True)
    return reports


def reports_only() -> int:
    """BENCH_ONLY=reports: only the report figures, merged into the existing results file."""
    reports = run_reports()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["reports"] = {
        **reports, "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


def portal_only() -> int:
    """BENCH_ONLY=portal: only the inquiry figures, merged into the existing results file."""
    portal = run_portal()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["portal_inquiry"] = {
        **portal, "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
