"""Schemathesis against the member API's own OpenAPI schema (config.urls_portal_api_schema):
every operation, a few generated requests each (valid and invalid bodies, multipart
included), as a portal member of tenant A with a token. No request may answer a server
error. Same harness as tests/isolation/test_api_fuzz.py (in-process WSGI, inside the test's
transaction, bounded examples, never shrunk)."""

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django_tenants.utils import tenant_context
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from tests.isolation.test_api_fuzz import _failures_of, _test_transaction_kept
from tests.portal.quote_builder_helpers import make_catalog, sent_quote
from tests.portal.test_service_member import token_for


@pytest.fixture
def member_schema(world, tenant_a) -> schemathesis.BaseSchema:
    with tenant_context(tenant_a.tenant):
        catalog = make_catalog(world, tenant_a.users["admin"])
        sent_quote(world.members["eng"], tenant_a.users["admin"], [(catalog.drill, 1)])
        generated = SchemaGenerator(urlconf="config.urls_portal_api_schema").get_schema(
            public=True)
    document = json.loads(OpenApiJsonRenderer().render(generated))
    schema = schemathesis.openapi.from_dict(document)
    schema.app = WSGIHandler()
    schema.config.update(
        base_url=f"http://{tenant_a.host}",
        headers={"Authorization": f"Token {token_for(tenant_a, 'eng@hoth.test')}"},
    )
    return schema


def test_member_api_operations_never_answer_a_server_error(member_schema):
    operations = [result.ok() for result in member_schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    for expected in ("POST /portal/api/v1/assets/", "POST /portal/api/v1/service-requests/",
                     "POST /portal/api/v1/service-requests/{id}/comments/",
                     "POST /portal/api/v1/service-requests/{id}/reopen/",
                     "POST /portal/api/v1/service-requests/{id}/rate/",
                     "POST /portal/api/v1/service-requests/{id}/close/",
                     "GET /portal/api/v1/service-requests/{id}/files/{attachment_id}/",
                     "GET /portal/api/v1/catalog/", "POST /portal/api/v1/quotes/",
                     "POST /portal/api/v1/quotes/preview/",
                     "POST /portal/api/v1/quotes/{id}/accept/",
                     "POST /portal/api/v1/quotes/{id}/reject/"):
        assert expected in labels, sorted(labels)
    failures = []
    with _test_transaction_kept():
        for operation in operations:
            failures += _failures_of(operation)
    assert failures == [], "\n\n".join(failures)
