"""/api/v1/webhooks/: admins only, the secret shown once, the delivery log, ping, isolation
between tenants (ids differ by construction: another tenant's id is a 404)."""

import json

import pytest

from crm.webhooks.models import WebhookDelivery, WebhookEndpoint
from crm.webhooks.services import endpoint_create
from tests.crm.webhooks.conftest import documented_verifier

API = "/api/v1/webhooks"


def _post(client, path, data=None):
    return client.post(path, json.dumps(data or {}), content_type="application/json")


def test_create_answers_the_secret_once_then_never(tenant_a, tenant_client, in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = _post(client, f"{API}/", {"url": "https://erp.example.com/hooks",
                                         "events": ["lead.created", "opportunity.won"],
                                         "description": "ERP"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["lead.created", "opportunity.won"]
    assert body["is_active"] is True
    detail = client.get(f"{API}/{body['id']}/")
    assert detail.status_code == 200
    assert "secret" not in detail.json()
    assert body["secret"] not in client.get(f"{API}/").content.decode()
    with in_tenant(tenant_a):
        assert WebhookEndpoint.objects.get(pk=body["id"]).description == "ERP"


@pytest.mark.parametrize("payload", [
    {"url": "https://erp.example.com/h", "events": []},
    {"url": "https://erp.example.com/h", "events": ["quote.sent"]},
    {"url": "ftp://erp.example.com/h", "events": ["lead.created"]},
    {"url": "", "events": ["lead.created"]},
    {"events": ["lead.created"]},
    {"url": "https://erp.example.com/h", "events": "lead.created"},
])
def test_bad_input_is_a_400(tenant_a, tenant_client, payload):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = _post(client, f"{API}/", payload)
    assert response.status_code == 400, response.content


def test_update_and_delete(tenant_a, tenant_client, in_tenant):
    with in_tenant(tenant_a):
        endpoint = endpoint_create(actor=None, url="https://a.example.com/h",
                                   events=["lead.created"]).endpoint
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.patch(f"{API}/{endpoint.pk}/",
                            json.dumps({"events": ["account.updated"], "is_active": False}),
                            content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["events"] == ["account.updated"]
    assert response.json()["is_active"] is False
    assert client.delete(f"{API}/{endpoint.pk}/").status_code == 204
    with in_tenant(tenant_a):
        assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


@pytest.mark.parametrize("role", ["manager", "rep", "agent", "readonly"])
def test_only_admins_manage_webhooks(tenant_a, tenant_client, in_tenant, role):
    with in_tenant(tenant_a):
        endpoint = endpoint_create(actor=None, url="https://a.example.com/h",
                                   events=["lead.created"]).endpoint
    client = tenant_client(tenant_a, tenant_a.users[role])
    assert client.get(f"{API}/").status_code == 403
    assert client.get(f"{API}/{endpoint.pk}/").status_code == 403
    assert _post(client, f"{API}/", {"url": "https://b.example.com/h",
                                     "events": ["lead.created"]}).status_code == 403
    assert _post(client, f"{API}/{endpoint.pk}/test/").status_code == 403


def test_another_tenant_cannot_see_or_trigger_the_endpoints(
    tenant_a, tenant_b, tenant_client, in_tenant
):
    with in_tenant(tenant_a):
        endpoint = endpoint_create(actor=None, url="https://a.example.com/h",
                                   events=["lead.created"]).endpoint
    client = tenant_client(tenant_b, tenant_b.users["admin"])
    assert client.get(f"{API}/").json()["results"] == []
    for method, path in (("get", f"{API}/{endpoint.pk}/"),
                         ("get", f"{API}/{endpoint.pk}/deliveries/"),
                         ("post", f"{API}/{endpoint.pk}/test/"),
                         ("patch", f"{API}/{endpoint.pk}/"),
                         ("delete", f"{API}/{endpoint.pk}/")):
        assert getattr(client, method)(path).status_code == 404, (method, path)
    with in_tenant(tenant_b):
        assert not WebhookDelivery.objects.exists()
    with in_tenant(tenant_a):
        assert not WebhookDelivery.objects.exists()
        assert WebhookEndpoint.objects.get(pk=endpoint.pk).is_active


def test_ping_is_delivered_and_logged(tenant_a, tenant_client, in_tenant, receiver,
                                      django_capture_on_commit_callbacks):
    with in_tenant(tenant_a):
        created = endpoint_create(actor=None, url=receiver.url, events=["lead.created"])
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, f"{API}/{created.endpoint.pk}/test/")
    assert response.status_code == 202, response.content
    assert response.json()["event_type"] == "ping"
    [request] = receiver.requests
    assert documented_verifier()(created.secret, request.body,
                                 request.headers["Northwind-Signature"])
    assert json.loads(request.body)["type"] == "ping"
    log = client.get(f"{API}/{created.endpoint.pk}/deliveries/")
    assert log.status_code == 200
    [row] = log.json()["results"]
    assert row["status"] == "succeeded"
    assert row["response_status"] == 200
    assert row["response_body"] == '{"ok": true}'
    assert row["duration_ms"] is not None
    assert set(row) >= {"next_attempt_at", "attempts", "error", "event_id"}


def test_lists_have_a_query_budget(tenant_a, tenant_client, in_tenant,
                                   django_assert_max_num_queries):
    from crm.core.events import DomainEvent
    from crm.webhooks.services import deliveries_create_for_event

    with in_tenant(tenant_a):
        endpoints = [endpoint_create(actor=None, url=f"https://h{n}.example.com/",
                                     events=["lead.created"]).endpoint for n in range(5)]
        for n in range(20):
            deliveries_create_for_event(event=DomainEvent(
                type="lead.created", data={"n": n}, schema_name="t_alpha"))
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    client.get(f"{API}/")  # warm the session
    with django_assert_max_num_queries(8):
        assert len(client.get(f"{API}/").json()["results"]) == 5
    with django_assert_max_num_queries(8):
        page = client.get(f"{API}/{endpoints[0].pk}/deliveries/?page_size=10").json()
    assert len(page["results"]) == 10
    assert page["next"]


def test_the_schema_lists_the_webhook_endpoints(tenant_a, tenant_client):
    text = tenant_client(tenant_a, tenant_a.users["admin"]).get("/api/schema/") \
        .content.decode()
    for path in ("/webhooks/", "/webhooks/{id}/",
                 "/webhooks/{id}/deliveries/", "/webhooks/{id}/test/",
                 "/contacts/external/{external_id}/"):
        assert path in text, path
