"""Password-reset e-mails link to the tenant's own host (staff and Wagtail), and the API
schema and docs are for signed-in staff only."""

import re

import pytest
from django.core.cache import caches

from tenants.security import throttle
from tenants.users.models import User, UserKind


@pytest.fixture(autouse=True)
def _fresh_throttle():
    caches["throttle"].clear()
    throttle._reset_degraded_state()


def _links(body: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", body)


def test_wagtail_password_reset_email_links_to_the_tenants_host(tenant_a, tenant_b,
                                                                 tenant_client, mailoutbox):
    response = tenant_client(tenant_b).post("/cms/password_reset/",
                                            {"email": "admin@beta.test"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    links = _links(mailoutbox[0].body)
    assert links, mailoutbox[0].body
    assert all(link.startswith("http://beta.localhost/cms/password_reset/confirm/")
               for link in links), links


def test_staff_password_reset_email_links_to_the_tenants_host(tenant_a, tenant_b,
                                                               tenant_client, mailoutbox):
    response = tenant_client(tenant_b).post("/accounts/password-reset/",
                                            {"email": "rep@beta.test"})
    assert response.status_code == 302
    links = _links(mailoutbox[0].body)
    assert links
    assert all(link.startswith("http://beta.localhost/accounts/reset/") for link in links), links


def test_api_schema_and_docs_refuse_anonymous_visitors(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 401
    assert "paths" not in schema.content.decode()
    docs = client.get("/api/docs/")
    assert docs.status_code == 302
    assert docs["Location"] == "/accounts/login/?next=/api/docs/"


def test_api_schema_and_docs_refuse_portal_members(tenant_a, tenant_client, in_tenant):
    with in_tenant(tenant_a):
        member = User.objects.create_user(email="buyer@customer.test", password="x-Secret-123",
                                          kind=UserKind.MEMBER)
    client = tenant_client(tenant_a, member)
    assert client.get("/api/schema/", HTTP_ACCEPT="application/json").status_code == 403
    assert client.get("/api/docs/").status_code == 403


@pytest.mark.parametrize("role", ["rep", "readonly"])
def test_api_schema_and_docs_serve_every_staff_role(tenant_a, tenant_client, role):
    client = tenant_client(tenant_a, tenant_a.users[role])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/auth/tokens/" in schema.json()["paths"]
    assert client.get("/api/docs/").status_code == 200
