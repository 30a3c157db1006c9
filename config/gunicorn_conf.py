"""gunicorn settings for the production-style web server (`gunicorn -c python:config.gunicorn_conf
config.wsgi`); `make bench` serves the portal benchmark with them.

Threads, not more processes: a request spends much of its time waiting on PostgreSQL and
Redis, and a thread gives the waiting time to another request without the memory of another
process. One process per core runs Python (each has its own GIL); the threads of a process
share its persistent database connections (one per thread, CONN_MAX_AGE). gthread also
keeps client connections alive, where the sync worker closes each one.
Every number can be set from the environment."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("WEB_CONCURRENCY", str(os.cpu_count() or 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Import the application once in the master, then fork: workers are ready at once.
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 10
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
