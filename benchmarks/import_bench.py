"""Import throughput: BENCH_IMPORT_ROWS accounts (default 100,000) from one GB18030 CSV file
through the import engine (the accounts service for every row, all or nothing, "create
anyway" so each row is an insert), in a throw-away tenant; rows per second and the peak
resident memory the run added (sampled from /proc every 50 ms). A second, smaller run
(BENCH_IMPORT_MATCH_ROWS, default 5,000) goes through the duplicate check ("skip")."""

import csv
import os
import tempfile
import threading
import time
import uuid

from django.core.files import File
from django.db import connection
from django_tenants.utils import tenant_context

from crm.imports import engine
from crm.imports.models import ImportJob
from tenants.models import Tenant
from tenants.provisioning.services import tenant_discard, tenant_provision
from tenants.users.models import User

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
MATCH_ROWS = int(os.environ.get("BENCH_IMPORT_MATCH_ROWS", "5000"))
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京"]


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class PeakRss:
    def __init__(self) -> None:
        self.baseline = _rss_kib()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _rss_kib())

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_kib())


def _write_file(path: str, rows: int, prefix: str) -> None:
    with open(path, "w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["名称", "城市", "电话", "行业"])
        for n in range(rows):
            writer.writerow([f"{prefix}{CITIES[n % 8]}测试贸易有限公司{n}", CITIES[n % 8],
                             f"+86 21 {10000000 + n}", "制造"])


def _import(admin: User, path: str, duplicates: str) -> dict[str, object]:
    with open(path, "rb") as handle:
        job = ImportJob(kind="accounts", original_name="bench.csv", file_format="csv",
                        encoding="gb18030", duplicates=duplicates, created_by=admin,
                        mapping={"名称": "name", "城市": "city", "电话": "phone",
                                 "行业": "industry"})
        job.file.save(f"{job.token}.csv", File(handle), save=False)
        job.save()
    started = time.perf_counter()
    with PeakRss() as rss:
        done = engine.run_import(job_id=job.pk)
    seconds = time.perf_counter() - started
    if done is None or done.status != "done":
        raise RuntimeError(f"import failed: {done.errors[:3] if done else 'missing'}")
    return {"rows": done.processed_rows, "created": done.created, "skipped": done.skipped,
            "seconds": round(seconds, 2),
            "rows_per_second": round(done.processed_rows / seconds, 1),
            "peak_rss_added_mib": round((rss.peak - rss.baseline) / 1024, 1)}


def run() -> dict[str, object]:
    slug = f"bench-imp-{uuid.uuid4().hex[:8]}"
    job = tenant_provision(name="Bench Import", slug=slug, admin_email=f"admin@{slug}.test",
                           admin_password="Bench-password-123", run_inline=True)
    tenant = job.tenant
    if tenant is None:
        raise RuntimeError(job.error)
    try:
        with tempfile.TemporaryDirectory() as scratch, tenant_context(tenant):
            admin = User.objects.get(email=f"admin@{slug}.test")
            big = os.path.join(scratch, "accounts.csv")
            _write_file(big, ROWS, "")
            results: dict[str, object] = {
                "file_mib": round(os.path.getsize(big) / 1024 / 1024, 1),
                "accounts_create_all_or_nothing": _import(admin, big, "create"),
            }
            small = os.path.join(scratch, "match.csv")
            _write_file(small, MATCH_ROWS, "新")
            results["accounts_with_duplicate_check"] = _import(admin, small, "skip")
            return results
    finally:
        connection.set_schema_to_public()
        tenant_discard(tenant=Tenant.objects.get(pk=tenant.pk))
