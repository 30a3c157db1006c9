"""Workspace tests change the tenants' settings inside the test's transaction (rolled back);
the session's shared Tenant objects get their attributes back afterwards too, since the
service updates the in-memory tenant of the connection at once."""

import pytest
from django.conf import settings

from tests.crm.sales.conftest import make_account, make_opportunity  # noqa: F401 - fixtures

_FIELDS = ("name", "currency", "language", "time_zone")


@pytest.fixture(autouse=True)
def _restore_shared_tenants(django_db_setup):
    fixtures = getattr(settings, "_TEST_TENANTS", {})
    saved = {key: {field: getattr(item.tenant, field) for field in _FIELDS}
             for key, item in fixtures.items()}
    yield
    for key, values in saved.items():
        for field, value in values.items():
            setattr(fixtures[key].tenant, field, value)
