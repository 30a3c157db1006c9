"""Text never holds control characters: every form, query and JSON field is checked once, at
the request, with a clear 400 (a fuzzer created accounts named "\\u001cM")."""

import pytest

from crm.accounts.models import Account
from crm.leads.models import Lead


@pytest.mark.parametrize("name", ["\x1cM", "Acme\x07", "Ac\x1bme", "Acme\x7f", "Acme\x85",
                                  "Acme\x9f", "Ac\x0bme"])
def test_api_refuses_control_characters_with_a_json_400(tenant_a, tenant_client, in_tenant,
                                                        name):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.post("/api/v1/accounts/", {"name": name}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "control_character"
    assert response.json()["field"] == "name"
    with in_tenant(tenant_a):
        assert not Account.objects.filter(name=name).exists()


def test_control_characters_deep_in_a_json_body_are_found(tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.post("/api/v1/accounts/", {"name": "Fine Ltd", "tags": ["ok", "b\x01d"]},
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == "tags[1]"


def test_multi_line_text_keeps_tabs_and_newlines(tenant_a, tenant_client, in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    message = "First line\n\tindented\r\nlast line"
    response = client.post("/api/v1/leads/", {"company": "Lines Ltd", "last_name": "Doe",
                                             "message": message},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    with in_tenant(tenant_a):
        assert Lead.objects.get(pk=response.json()["id"]).message == message


def test_crm_form_refuses_control_characters_with_a_400(tenant_a, tenant_client, in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.post("/crm/accounts/new/", {"name": "\x1cM"})
    assert response.status_code == 400
    assert "control character" in response.content.decode()
    with in_tenant(tenant_a):
        assert not Account.objects.filter(name="\x1cM").exists()


def test_control_characters_in_a_query_string_are_a_400(tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    assert client.get("/api/v1/accounts/", {"search": "a\x1fb"}).status_code == 400
    assert client.get("/crm/accounts/", {"q": "a\x1fb"}).status_code == 400
