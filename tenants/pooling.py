"""Connection pooling and django-tenants: every connection carries the tenant's
``search_path`` (set with ``SET search_path`` when the request or task picks its tenant), so
a pooler must hand each client the same server connection for the whole session.

PgBouncer's *transaction* (or *statement*) pooling gives the next transaction whatever server
connection is free: one tenant's queries would run with another tenant's ``search_path``.
Only *session* pooling (or no pooler) is safe. The deployment says which it runs with
``DATABASE_POOLER`` (``none``, ``session``, ``transaction``); a system check and a start-up
check (web and Celery) refuse transaction pooling, and refuse a ``DATABASE_URL`` that looks
like PgBouncer (port 6432, a ``pgbouncer`` host or option) while ``DATABASE_POOLER`` is unset.
"""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

SAFE_POOLERS = ("none", "session")
UNSAFE_POOLERS = ("transaction", "statement")
PGBOUNCER_PORT = "6432"


def _looks_like_pgbouncer(database: dict[str, Any]) -> bool:
    host = str(database.get("HOST") or "").lower()
    options = {str(key).lower() for key in (database.get("OPTIONS") or {})}
    return (
        str(database.get("PORT") or "") == PGBOUNCER_PORT
        or "pgbouncer" in host
        or "pgbouncer" in options
    )


def connection_pooling_errors() -> list[Error]:
    """What is wrong with the configured pooler for per-connection search_path (empty: ok)."""
    pooler = str(getattr(settings, "DATABASE_POOLER", "") or "").strip().lower()
    database = settings.DATABASES["default"]
    hint = ("Run PgBouncer with pool_mode = session for this database and set "
            "DATABASE_POOLER=session (see docs/DECISIONS.md, 'Connection pooling').")
    if pooler in UNSAFE_POOLERS:
        return [Error(
            f"DATABASE_POOLER={pooler}: django-tenants sets search_path per connection, and "
            f"{pooler} pooling hands a tenant's next transaction a connection set up for "
            "another tenant's schema.",
            hint=hint, id="tenants.E101",
        )]
    if pooler and pooler not in SAFE_POOLERS:
        return [Error(
            f"DATABASE_POOLER={pooler!r} is not one of none, session, transaction.",
            hint=hint, id="tenants.E102",
        )]
    if not pooler and _looks_like_pgbouncer(database):
        return [Error(
            "DATABASE_URL looks like PgBouncer (port 6432 or a 'pgbouncer' host/option) but "
            "DATABASE_POOLER does not say which pool mode it runs.",
            hint=hint, id="tenants.E103",
        )]
    return []


@register("database")
def check_connection_pooling(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return connection_pooling_errors()


def ensure_safe_connection_pooling() -> None:
    """Start-up check for processes that run no system checks (gunicorn, Celery)."""
    errors = connection_pooling_errors()
    if errors:
        raise ImproperlyConfigured(" ".join(f"{error.msg} {error.hint}" for error in errors))
