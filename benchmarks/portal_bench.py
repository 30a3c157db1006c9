"""Portal inquiry benchmark: POST /portal/api/v1/inquiries/ under CONCURRENCY concurrent
clients against gunicorn (production settings, DEBUG off), each inquiry committed (Inquiry +
Lead with scoring and assignment rules) and its e-mail task queued to the real broker
before the 201 answers. p50/p95 latency as the clients see it, and throughput.

Each request comes from another client address (X-Forwarded-For behind one trusted proxy)
and e-mail, so the rate limits count but do not refuse. The tasks go to a throw-away queue
that is deleted afterwards; the tenant is discarded.
"""

import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.db import connection

from tenants.models import Tenant
from tenants.provisioning.services import tenant_discard, tenant_provision

ROOT = Path(__file__).resolve().parent.parent
CONCURRENCY = int(os.environ.get("BENCH_INQUIRY_CLIENTS", "20"))
REQUESTS = int(os.environ.get("BENCH_INQUIRIES", "600"))
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
TARGET_P95_MS = 100


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(port: int, queue: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "SECURE_SSL_REDIRECT": "false",
        "TRUSTED_PROXY_COUNT": "1",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "WARNING",
        "TENANT_WARM_POOL_SIZE": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--worker-class", "sync", "--log-level", "warning",
         # Import once in the master and fork: workers are ready at once, not after each
         # imported Django on its own (slow on a busy two-core machine).
         "--preload", "--timeout", "120"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {process.stdout.read()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start within 60 s")


def _post(port: int, host: str, index: int, timeout: float = 30) -> tuple[float, int]:
    body = json.dumps({
        "name": f"Bench Visitor {index}", "company": f"Bench Buyer {index % 97} GmbH",
        "email": f"visitor{index}-{uuid.uuid4().hex[:6]}@bench.example",
        "phone": "+49 30 1234567", "product_interest": "Gateway G10",
        "message": "Please send a quote for 40 gateways, delivery to two plants.",
    })
    headers = {"Host": host, "Content-Type": "application/json",
               "X-Forwarded-For": f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"}
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/portal/api/v1/inquiries/", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        status = response.status
    finally:
        conn.close()
    return time.perf_counter() - started, status


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def run() -> dict[str, object]:
    slug = f"bench-portal-{uuid.uuid4().hex[:8]}"
    job = tenant_provision(name="Bench Portal", slug=slug, admin_email=f"admin@{slug}.test",
                           admin_password="Bench-password-123", run_inline=True)
    tenant = job.tenant
    if tenant is None:
        raise RuntimeError(job.error)
    connection.set_schema_to_public()
    queue = f"bench-inquiries-{uuid.uuid4().hex[:8]}"
    port = _free_port()
    server = _start_gunicorn(port, queue)
    try:
        host = tenant.primary_host
        # Warm every worker (imports, connections, template and URL caches).
        with ThreadPoolExecutor(WORKERS * 2) as pool:
            warm = list(pool.map(lambda i: _post(port, host, 10_000_000 + i, timeout=180),
                                 range(WORKERS * 4)))
        if any(status != 201 for _seconds, status in warm):
            raise RuntimeError(f"warm-up answered {[status for _s, status in warm]}")
        started = time.perf_counter()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            results = list(pool.map(lambda i: _post(port, host, i), range(REQUESTS)))
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        _drop_queue(queue)
        tenant_discard(tenant=Tenant.objects.get(pk=tenant.pk))
    latencies = sorted(seconds for seconds, _status in results)
    statuses: dict[str, int] = {}
    for _seconds, status in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    p95_ms = round(_percentile(latencies, 0.95) * 1000, 1)
    return {
        "server": f"gunicorn, {WORKERS} sync workers, production settings",
        "clients": CONCURRENCY,
        "requests": REQUESTS,
        "statuses": statuses,
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": p95_ms,
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "throughput_per_s": round(REQUESTS / wall, 1),
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": p95_ms < TARGET_P95_MS,
        # The machine's load while measuring (shared machines make the figures noisy).
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def _drop_queue(queue: str) -> None:
    """Delete the throw-away queue's messages from the broker (no worker consumes it)."""
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
    except Exception as error:  # the broker is not part of what we measure
        print(f"  could not delete queue {queue}: {error}", flush=True)
