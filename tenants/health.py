"""Health of the services a request depends on."""

from django.db import connection
from django_redis import get_redis_connection


def check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def check_redis() -> bool:
    try:
        return bool(get_redis_connection("default").ping())
    except Exception:
        return False


def health_report() -> tuple[bool, dict[str, str]]:
    checks = {"database": check_database(), "redis": check_redis()}
    report = {name: "ok" if healthy else "unavailable" for name, healthy in checks.items()}
    return all(checks.values()), report
