"""Portal inquiry benchmark: inquiries under CONCURRENCY concurrent clients against gunicorn
(production settings, DEBUG off, config/gunicorn_conf.py: gthread, one process per core),
each inquiry committed (Inquiry + Lead with scoring and assignment rules) and its e-mail
task queued to the real broker before the answer.

Two ways in, measured one after the other:
- ``api``: ``POST /portal/api/v1/inquiries/`` (JSON, 201 with the reference);
- ``form``: the HTML form ``POST /contact/`` (the Wagtail inquiry page, CSRF token and the
  signed start time taken from a real GET of the form, answered by the 302 to the page
  showing the reference).

Each request comes from another client address (X-Forwarded-For behind one trusted proxy)
and e-mail, so the rate limits count but do not refuse.

The load client is one asyncio loop in this process, one keep-alive connection per client
(reconnecting, and timing the reconnect, when the server closes one): a few hundred
microseconds of CPU per request, so it does not take the two cores from the server it
measures. Figures: p50/p95/p99/max latency as the clients see it, throughput, every status
(a refused or failed request counts, with status 0 for a connection error), the gunicorn
processes' CPU time per request and the machine's CPU use while measuring, and the latency
of one client alone (the service time without queueing). With N clients and no think time,
latency ~ N / throughput (Little's law): the p95 target is a throughput target.

The tasks go to a throw-away queue that is deleted afterwards; the tenant is discarded.
"""

import asyncio
import contextlib
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.db import connection

from tenants.models import Tenant
from tenants.provisioning.services import tenant_discard, tenant_provision

ROOT = Path(__file__).resolve().parent.parent
CONCURRENCY = int(os.environ.get("BENCH_INQUIRY_CLIENTS", "20"))
REQUESTS = int(os.environ.get("BENCH_INQUIRIES", "600"))
FORM_REQUESTS = int(os.environ.get("BENCH_FORM_INQUIRIES", "300"))
SOLO_REQUESTS = int(os.environ.get("BENCH_SOLO_INQUIRIES", "60"))
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", str(os.cpu_count() or 1)))
THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "8"))
WORKER_CLASS = os.environ.get("BENCH_GUNICORN_WORKER_CLASS", "gthread")
TARGET_P95_MS = 100
TIMEOUT_S = 30.0

Request = tuple[str, str, dict[str, str], bytes]  # method, path, headers, body


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
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKER_CLASS": WORKER_CLASS,
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_THREADS": str(THREADS),
        "GUNICORN_LOG_LEVEL": "warning",
        "GUNICORN_TIMEOUT": "120",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:config.gunicorn_conf", "config.wsgi"],
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


# --- a minimal HTTP/1.1 keep-alive client on asyncio streams ------------------------------
class _Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        method, path, headers, body = request
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in headers.items()
        ) + f"Content-Length: {len(body)}\r\n\r\n"
        self.writer.write(head.encode("latin-1") + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed by the server")
        status = int(status_line.split()[1])
        response_headers: dict[str, str] = {}
        cookies: list[str] = []
        while True:
            line = (await self.reader.readline()).decode("latin-1").rstrip("\r\n")
            if not line:
                break
            name, _sep, value = line.partition(":")
            if name.lower() == "set-cookie":
                cookies.append(value.strip())
            response_headers[name.lower()] = value.strip()
        response_headers["set-cookie"] = "\n".join(cookies)
        length = int(response_headers.get("content-length", "0"))
        content = await self.reader.readexactly(length) if length else b""
        if response_headers.get("connection", "").lower() == "close":
            await self.close()
        return status, response_headers, content


async def _run_clients(port: int, clients: int, total: int,
                       make_request: Callable[[int, int], Request],
                       ) -> tuple[list[tuple[float, int]], float]:
    """``clients`` connections sending ``total`` requests between them (no think time);
    (seconds, status) per request and the wall time."""
    results: list[tuple[float, int]] = []
    counter = iter(range(total))

    async def client(number: int) -> None:
        conn = _Connection(port)
        for index in counter:
            request = make_request(number, index)
            started = time.perf_counter()
            try:
                status, _headers, _body = await asyncio.wait_for(conn.request(request),
                                                                 TIMEOUT_S)
            except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError,
                    ValueError, IndexError):
                status = 0
                await conn.close()
            results.append((time.perf_counter() - started, status))
        await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(number) for number in range(clients)))
    return results, time.perf_counter() - started


def _inquiry_fields(index: int) -> dict[str, str]:
    return {
        "name": f"Bench Visitor {index}", "company": f"Bench Buyer {index % 97} GmbH",
        "email": f"visitor{index}-{uuid.uuid4().hex[:6]}@bench.example",
        "phone": "+49 30 1234567", "product_interest": "Gateway G10",
        "message": "Please send a quote for 40 gateways, delivery to two plants.",
    }


def _client_address(index: int) -> str:
    return f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"


def _api_request(host: str, offset: int = 0) -> Callable[[int, int], Request]:
    def make(_client: int, index: int) -> Request:
        body = json.dumps(_inquiry_fields(offset + index)).encode()
        return ("POST", "/portal/api/v1/inquiries/",
                {"Host": host, "Content-Type": "application/json",
                 "X-Forwarded-For": _client_address(offset + index)}, body)
    return make


CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTED_INPUT = re.compile(rb'name="started" value="([^"]+)"')


async def _form_sessions(port: int, host: str, clients: int) -> list[tuple[str, str, str]]:
    """Per client: the CSRF cookie, the form's CSRF token and its signed start time, from a
    real GET of the contact page (as a browser would have before posting)."""
    sessions = []
    for _number in range(clients):
        conn = _Connection(port)
        status, headers, body = await conn.request(("GET", "/contact/", {"Host": host}, b""))
        await conn.close()
        if status != 200:
            raise RuntimeError(f"GET /contact/ answered {status}")
        cookie = next(part.split(";")[0] for part in headers["set-cookie"].split("\n")
                      if "csrftoken=" in part)
        token, started = CSRF_INPUT.search(body), STARTED_INPUT.search(body)
        if token is None or started is None:
            raise RuntimeError("the contact page has no inquiry form")
        sessions.append((cookie, token.group(1).decode(), started.group(1).decode()))
    return sessions


def _form_request(host: str, sessions: list[tuple[str, str, str]],
                  offset: int) -> Callable[[int, int], Request]:
    from urllib.parse import urlencode

    def make(client: int, index: int) -> Request:
        cookie, token, started = sessions[client % len(sessions)]
        body = urlencode({**_inquiry_fields(offset + index), "website": "",
                          "started": started, "csrfmiddlewaretoken": token}).encode()
        return ("POST", "/contact/",
                {"Host": host, "Content-Type": "application/x-www-form-urlencoded",
                 "Cookie": cookie, "X-Forwarded-For": _client_address(offset + index)}, body)
    return make


# --- CPU accounting from /proc (Linux) -------------------------------------------------------
def _process_tree_cpu_seconds(root_pid: int) -> float:
    """utime + stime of ``root_pid`` and its children (the gunicorn master and workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if root_pid in (pid, ppid):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _pid_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # gone, or another user's process we may not read
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _database_backends_cpu() -> dict[int, float]:
    """CPU seconds of every PostgreSQL backend on this database but our own connection: the
    server's connections (one per thread, kept open), when PostgreSQL runs on this machine."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        pids = [row[0] for row in cursor.fetchall()]
    return {pid: _pid_cpu_seconds(pid) for pid in pids}


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _figures(results: list[tuple[float, int]], wall: float, expected: int) -> dict[str, object]:
    latencies = sorted(seconds for seconds, _status in results)
    statuses: dict[str, int] = {}
    for _seconds, status in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "requests": len(results),
        "statuses": statuses,
        "ok": statuses.get(str(expected), 0),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "throughput_per_s": round(len(results) / wall, 1),
    }


def _measure(server: subprocess.Popen, port: int, clients: int, total: int,
             make_request: Callable[[int, int], Request], expected: int) -> dict[str, object]:
    server_cpu = _process_tree_cpu_seconds(server.pid)
    database_cpu = _database_backends_cpu()
    busy, all_jiffies = _machine_cpu()
    own_cpu = time.process_time()
    results, wall = asyncio.run(_run_clients(port, clients, total, make_request))
    own_cpu = time.process_time() - own_cpu
    busy_after, all_after = _machine_cpu()
    server_cpu = _process_tree_cpu_seconds(server.pid) - server_cpu
    database_cpu_used = sum(seconds - database_cpu.get(pid, 0.0)
                            for pid, seconds in _database_backends_cpu().items())
    return {
        **_figures(results, wall, expected),
        "server_cpu_ms_per_request": round(server_cpu / len(results) * 1000, 2),
        "database_cpu_ms_per_request": round(database_cpu_used / len(results) * 1000, 2),
        "client_cpu_ms_per_request": round(own_cpu / len(results) * 1000, 2),
        "machine_cpu_busy_pct": round(100 * (busy_after - busy) / max(1, all_after - all_jiffies),
                                      1),
    }


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
        # Warm every worker and thread (imports, database connections, template and URL
        # caches): as many clients as the measurement, several rounds each, both ways in.
        warm, _wall = asyncio.run(_run_clients(port, CONCURRENCY, CONCURRENCY * 4,
                                               _api_request(host, 10_000_000)))
        if any(status != 201 for _seconds, status in warm):
            raise RuntimeError(f"warm-up answered {sorted({status for _s, status in warm})}")
        sessions = asyncio.run(_form_sessions(port, host, CONCURRENCY))
        time.sleep(3.5)  # the form's minimum time to fill in (InquirySettings default: 3 s)
        warm, _wall = asyncio.run(_run_clients(port, CONCURRENCY, CONCURRENCY * 2,
                                               _form_request(host, sessions, 11_000_000)))
        if any(status != 302 for _seconds, status in warm):
            raise RuntimeError(f"form warm-up answered {sorted({s for _t, s in warm})}")
        # What else runs on the machine: its CPU use over a few seconds with our server idle.
        busy, all_jiffies = _machine_cpu()
        time.sleep(3)
        busy_after, all_after = _machine_cpu()
        others_busy_pct = round(100 * (busy_after - busy) / max(1, all_after - all_jiffies), 1)
        solo = _measure(server, port, 1, SOLO_REQUESTS, _api_request(host, 12_000_000), 201)
        api = _measure(server, port, CONCURRENCY, REQUESTS, _api_request(host), 201)
        form = _measure(server, port, CONCURRENCY, FORM_REQUESTS,
                        _form_request(host, sessions, 1_000_000), 302)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        _drop_queue(queue)
        tenant_discard(tenant=Tenant.objects.get(pk=tenant.pk))
    return {
        "server": f"gunicorn -c config/gunicorn_conf.py: {WORKERS} {WORKER_CLASS} workers"
                  + (f" x {THREADS} threads" if WORKER_CLASS == "gthread" else "")
                  + ", production settings",
        "clients": CONCURRENCY,
        # The API figures stay at the top level (as before); the form's beside them.
        **api,
        "form_post": form,
        "one_client_alone": solo,
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": bool(api["ok"] == api["requests"]
                             and float(str(api["p95_ms"])) < TARGET_P95_MS),
        "cpus": os.cpu_count(),
        "machine_cpu_busy_pct_before_without_us": others_busy_pct,
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
