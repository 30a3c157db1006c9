"""/crm/settings/webhooks/: admins only; the secret is shown once; the delivery log."""

from crm.core.events import DomainEvent
from crm.webhooks.models import WebhookEndpoint
from crm.webhooks.services import deliveries_create_for_event, delivery_attempt, endpoint_create

PAGE = "/crm/settings/webhooks/"


def test_admin_creates_a_webhook_and_sees_the_secret_once(tenant_a, tenant_client, in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    assert client.get(PAGE).status_code == 200
    response = client.post(f"{PAGE}new/", {"url": "https://erp.example.com/in",
                                           "events": ["lead.created", "account.created"],
                                           "description": "ERP"})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="new-secret"' in text
    assert "whsec_" in text
    with in_tenant(tenant_a):
        endpoint = WebhookEndpoint.objects.get(url="https://erp.example.com/in")
    assert endpoint.events == ["account.created", "lead.created"]
    listing = client.get(PAGE).content.decode()
    assert "https://erp.example.com/in" in listing
    assert "whsec_" not in listing.replace(
        endpoint.secret_hint, "")
    bad = client.post(f"{PAGE}new/", {"url": "ftp://x", "events": ["lead.created"]})
    assert bad.status_code == 200
    assert "errorlist" in bad.content.decode()


def test_the_settings_overview_lists_webhooks_for_admins_only(tenant_a, tenant_client):
    assert PAGE in tenant_client(tenant_a, tenant_a.users["admin"]).get(
        "/crm/settings/").content.decode()
    assert tenant_client(tenant_a, tenant_a.users["manager"]).get(PAGE).status_code == 403
    assert tenant_client(tenant_a, tenant_a.users["rep"]).get(PAGE).status_code == 403


def test_detail_page_shows_the_delivery_log_within_a_query_budget(
    tenant_a, tenant_client, in_tenant, receiver, django_assert_max_num_queries
):
    receiver.statuses = [500]
    receiver.answer = b"receiver is down for maintenance"
    with in_tenant(tenant_a):
        endpoint = endpoint_create(actor=None, url=receiver.url,
                                   events=["lead.created"]).endpoint
        for n in range(3):
            [delivery_id] = deliveries_create_for_event(event=DomainEvent(
                type="lead.created", data={"n": n}, schema_name="t_alpha"))
            delivery_attempt(delivery_id=delivery_id)
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    client.get(f"{PAGE}{endpoint.pk}/")
    with django_assert_max_num_queries(14):
        response = client.get(f"{PAGE}{endpoint.pk}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert text.count("receiver is down for maintenance") == 3
    assert "500" in text
    edit = client.post(f"{PAGE}{endpoint.pk}/", {"url": receiver.url, "events": ["lead.created"],
                                                 "description": "", "is_active": ""})
    assert edit.status_code == 302
    with in_tenant(tenant_a):
        assert not WebhookEndpoint.objects.get(pk=endpoint.pk).is_active
    assert client.post(f"{PAGE}{endpoint.pk}/delete/").status_code == 302
    assert client.get(f"{PAGE}{endpoint.pk}/").status_code == 404
