"""Transaction pooling cannot be used with django-tenants' per-connection search_path: the
system check and the start-up check (web, Celery) refuse it."""

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from tenants.pooling import connection_pooling_errors, ensure_safe_connection_pooling


@pytest.fixture
def database(settings, monkeypatch):
    """Change keys of the default database's settings for one test."""
    def change(**changes):
        for key, value in changes.items():
            monkeypatch.setitem(settings.DATABASES["default"], key, value)
    return change


@pytest.mark.parametrize("pooler", ["transaction", "statement", "TRANSACTION"])
def test_transaction_pooling_fails_the_system_check(settings, pooler):
    settings.DATABASE_POOLER = pooler
    assert [error.id for error in run_checks(tags=["database"], include_deployment_checks=True)
            if error.id.startswith("tenants.")] == ["tenants.E101"]
    with pytest.raises(ImproperlyConfigured, match="search_path"):
        ensure_safe_connection_pooling()


@pytest.mark.parametrize("pooler", ["", "none", "session"])
def test_session_pooling_or_a_direct_connection_passes(settings, database, pooler):
    settings.DATABASE_POOLER = pooler
    database(PORT="5432", HOST="db.internal")
    assert connection_pooling_errors() == []
    ensure_safe_connection_pooling()


@pytest.mark.parametrize("changes", [{"PORT": "6432"}, {"PORT": 6432},
                                     {"HOST": "pgbouncer.internal"},
                                     {"OPTIONS": {"pgbouncer": "true"}}])
def test_a_pgbouncer_looking_database_url_must_declare_its_pool_mode(settings, database,
                                                                   changes):
    settings.DATABASE_POOLER = ""
    database(**changes)
    assert [error.id for error in connection_pooling_errors()] == ["tenants.E103"]
    settings.DATABASE_POOLER = "session"
    assert connection_pooling_errors() == []


def test_an_unknown_pool_mode_is_refused(settings):
    settings.DATABASE_POOLER = "sometimes"
    assert [error.id for error in connection_pooling_errors()] == ["tenants.E102"]
