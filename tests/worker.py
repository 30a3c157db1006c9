"""A real Celery worker process for tests marked ``worker``."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.celery import app
from tests.dburl import database_url_for_child_processes

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def celery_worker_queue(_celery_worker_process: str) -> Iterator[str]:
    """A real worker's private queue; tasks sent during the test go to it (not eager)."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield _celery_worker_process
    finally:
        app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def _celery_worker_process(django_db_setup) -> Iterator[str]:
    """Start a worker on the test database with a private queue; yield the queue name."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_child_processes(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--pool",
         "solo", "--loglevel", "WARNING", "-n", f"{queue}@localhost"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"Celery worker exited early:\n{output[-3000:]}")
            replies = app.control.ping(destination=[f"{queue}@localhost"], timeout=0.5)
            if replies:
                break
        else:
            pytest.fail("Celery worker did not answer within 60 s")
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
