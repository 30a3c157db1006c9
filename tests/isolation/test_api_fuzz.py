"""Schemathesis against the CRM API's own OpenAPI schema (/api/schema/): every operation,
a few generated requests each, as the admin of tenant A and of tenant B. No request may
answer a server error.

The app is called in-process through its WSGI handler, inside the test's transaction (rolled
back afterwards). Examples are bounded and never shrunk, so the module stays quick on a busy
two-core machine; the figures are in the test's docstring.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client
from django.utils.crypto import get_random_string
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.conftest import TenantFixture


@contextmanager
def _test_transaction_kept() -> Iterator[None]:
    """Django's handler closes the connection after each request (``close_old_connections``),
    which would end the test's transaction; Django's own test client unhooks it the same way
    (and hooks it again after each of its requests, so this wraps only the WSGI calls)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(params=["a", "b"], ids=["tenant_a_admin", "tenant_b_admin"])
def api_tenant(request: pytest.FixtureRequest, django_db_setup, db) -> TenantFixture:
    return settings._TEST_TENANTS[request.param]


@pytest.fixture
def api_schema(api_tenant: TenantFixture) -> schemathesis.BaseSchema:
    """The schema as the tenant's signed-in admin sees it, wired to call the WSGI app on the
    tenant's host with that admin's session (and a CSRF token, so writes are tried too)."""
    admin = api_tenant.users["admin"]
    client = Client(HTTP_HOST=api_tenant.host)
    with tenant_context(api_tenant.tenant):
        client.force_login(admin)
    connection.set_schema_to_public()
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content[:500]
    schema = schemathesis.openapi.from_dict(response.json())
    schema.app = WSGIHandler()
    csrf_secret = get_random_string(32)  # an unmasked CSRF secret: cookie and header
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    schema.config.update(
        base_url=f"http://{api_tenant.host}",
        headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={csrf_secret}",
            "X-CSRFToken": csrf_secret,
        },
    )
    return schema


EXAMPLES_PER_OPERATION = 6


def _operations(schema: schemathesis.BaseSchema) -> list[schemathesis.APIOperation]:
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    return operations


def _failures_of(operation: schemathesis.APIOperation) -> list[str]:
    """Run bounded examples (valid and invalid inputs, no shrinking) against one operation;
    return what answered a server error."""
    failures: list[str] = []
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        try:
            case.call_and_validate(checks=[not_a_server_error])
        except Exception as error:  # every failure is collected, not only the first
            failures.append(f"{operation.label}: {str(error)[:1500]}")

    run()
    return failures


def test_api_operations_never_answer_a_server_error(api_schema: schemathesis.BaseSchema
                                                    ) -> None:
    failures = []
    with _test_transaction_kept():
        for operation in _operations(api_schema):
            failures += _failures_of(operation)
    assert failures == [], "\n\n".join(failures)
