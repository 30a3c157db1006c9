"""Schemathesis against the CRM API's own OpenAPI schema (/api/schema/): every operation,
a few generated requests each, as the admin of tenant A and of tenant B. No request may
answer a server error.

The app is called in-process through its WSGI handler, inside the test's transaction (rolled
back afterwards). Examples are bounded and never shrunk, so the module stays quick on a busy
two-core machine; the figures are in the test's docstring.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import django_filters
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


EXAMPLES_PER_OPERATION = 4


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


# Findings of the fuzzer, pinned: each answered 500 before it was fixed.

EDGE_DATETIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-10:00",
                  "0001-01-01T00:00:00.000001+23:59", "9999-12-31T23:59:59.999999-23:59"]


def _date_time_filters() -> list[tuple[str, str]]:
    """(list URL, query parameter) for every date-time filter of every API FilterSet."""
    from rest_framework.routers import DefaultRouter

    from crm.routes import register_api_routes

    router = DefaultRouter()
    register_api_routes(router)
    found = []
    for prefix, viewset, _basename in router.registry:
        filterset_class = getattr(viewset, "filterset_class", None)
        if filterset_class is None:
            continue
        for name, declared in filterset_class.base_filters.items():
            if isinstance(declared, django_filters.IsoDateTimeFromToRangeFilter):
                found += [(f"/api/v1/{prefix}/", f"{name}_after"),
                          (f"/api/v1/{prefix}/", f"{name}_before")]
            elif isinstance(declared, django_filters.DateTimeFilter):
                found.append((f"/api/v1/{prefix}/", name))
    return found


def test_every_api_filterset_uses_the_safe_date_time_filters():
    from rest_framework.routers import DefaultRouter

    from crm.core.api.filters import (
        CrmFilterSet,
        SafeIsoDateTimeFilter,
        SafeIsoDateTimeFromToRangeFilter,
    )
    from crm.routes import register_api_routes

    router = DefaultRouter()
    register_api_routes(router)
    unsafe = []
    for _prefix, viewset, _basename in router.registry:
        filterset_class = getattr(viewset, "filterset_class", None)
        if filterset_class is None:
            continue
        if not issubclass(filterset_class, CrmFilterSet):
            unsafe.append(filterset_class.__name__)
        for name, declared in filterset_class.base_filters.items():
            date_time = (django_filters.IsoDateTimeFromToRangeFilter,
                         django_filters.DateTimeFilter)
            safe = (SafeIsoDateTimeFilter, SafeIsoDateTimeFromToRangeFilter)
            if isinstance(declared, date_time) and not isinstance(declared, safe):
                unsafe.append(f"{filterset_class.__name__}.{name}")
    assert unsafe == []


def test_out_of_range_date_times_in_filters_are_a_400(tenant_a, tenant_client):
    filters = _date_time_filters()
    assert ("/api/v1/accounts/", "created_before") in filters
    assert ("/api/v1/accounts/", "updated_before") in filters
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    answers = {(url, name, value): client.get(url, {name: value}).status_code
               for url, name in filters for value in EDGE_DATETIMES}
    assert {key: status for key, status in answers.items() if status != 400} == {}
    # Offsets Python accepts but PostgreSQL refuses (beyond 15:59) are converted to UTC.
    odd_offsets = {(url, name): client.get(url, {name: "2024-01-01T00:00:00+23:59"}).status_code
                   for url, name in filters}
    assert {key: status for key, status in odd_offsets.items() if status != 200} == {}


def test_options_answers_every_api_path(tenant_a, tenant_client, in_tenant):
    """OPTIONS is not in the schema, so the fuzzer above never sends it: walk every path of
    the schema with real ids (``PUT /accounts/external/{external_id}/`` answered 500)."""
    import re

    from tests.crm.accounts.factories import make_account

    with in_tenant(tenant_a):
        account = make_account(owner=tenant_a.users["admin"], name="Options Ltd",
                               external_id="ERP-1")
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    failures = []
    for template in schema["paths"]:
        for value in (str(account.pk), "ERP-1", "unknown"):
            url = re.sub(r"\{[^}]+\}", value, template)
            response = client.options(url)
            if response.status_code >= 500:
                failures.append((url, response.status_code))
    assert failures == []
    described = client.options("/api/v1/accounts/external/ERP-1/")
    assert described.status_code == 200
    assert "PUT" in described.json()["actions"]
