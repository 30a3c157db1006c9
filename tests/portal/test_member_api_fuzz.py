"""Schemathesis against the member API's own OpenAPI schema (config.urls_portal_api_schema):
every operation, a few generated requests each (valid and invalid), as a portal member of
tenant A with the catalog filled in. No request may answer a server error.

Called in-process through the WSGI handler inside the test's transaction, as the staff
API's fuzz test does (tests/isolation/test_api_fuzz.py, whose runner this reuses)."""

import json

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client
from django.utils.crypto import get_random_string
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from tests.isolation.test_api_fuzz import _failures_of, _test_transaction_kept
from tests.portal.quote_builder_helpers import make_catalog, sent_quote


@pytest.fixture
def member_schema(world, tenant_a, in_tenant) -> schemathesis.BaseSchema:
    with in_tenant(tenant_a):
        catalog = make_catalog(world, tenant_a.users["admin"])
        sent_quote(world.members["eng"], tenant_a.users["admin"], [(catalog.drill, 1)])
        document = SchemaGenerator(urlconf="config.urls_portal_api_schema").get_schema(
            public=True)
    schema = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    client = Client(HTTP_HOST=tenant_a.host)
    with in_tenant(tenant_a):
        client.force_login(world.members["eng"])
    connection.set_schema_to_public()
    schema.app = WSGIHandler()
    csrf_secret = get_random_string(32)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    schema.config.update(
        base_url=f"http://{tenant_a.host}",
        headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={csrf_secret}",
            "X-CSRFToken": csrf_secret,
        },
    )
    return schema


def test_member_api_operations_never_answer_a_server_error(member_schema) -> None:
    operations = [result.ok() for result in member_schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    for label in ("GET /portal/api/v1/catalog/", "POST /portal/api/v1/quotes/",
                  "POST /portal/api/v1/quotes/preview/",
                  "POST /portal/api/v1/quotes/{id}/accept/",
                  "POST /portal/api/v1/quotes/{id}/reject/"):
        assert label in labels, label
    failures = []
    with _test_transaction_kept():
        for operation in operations:
            failures += _failures_of(operation)
    assert failures == [], "\n\n".join(failures)
