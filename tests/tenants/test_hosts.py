import redis
from django.test import Client

from tenants import health
from tenants.models import TenantStatus


def test_unknown_host_gets_a_friendly_404(tenant_a):
    response = Client(HTTP_HOST="nowhere.localhost").get("/")
    assert response.status_code == 404
    assert "No workspace at this address" in response.content.decode()


def test_unknown_host_404_on_any_path(tenant_a):
    response = Client(HTTP_HOST="nowhere.localhost").get("/crm/accounts/?x=1")
    assert response.status_code == 404


def test_suspended_tenant_shows_suspended_page(tenant_a, tenant_client):
    tenant = tenant_a.tenant
    tenant.status = TenantStatus.SUSPENDED
    tenant.save()
    response = tenant_client(tenant_a).get("/")
    assert response.status_code == 403
    assert "suspended" in response.content.decode()
    assert tenant_client(tenant_a).get("/crm/").status_code == 403


def test_read_only_tenant_refuses_staff_writes_but_allows_reads(tenant_a, tenant_client):
    tenant = tenant_a.tenant
    tenant.status = TenantStatus.READ_ONLY
    tenant.save()
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    assert client.get("/crm/").status_code == 200
    api = client.post("/api/v1/nothing/", {}, content_type="application/json")
    assert api.status_code == 403
    assert api.json()["code"] == "tenant_read_only"
    assert client.post("/crm/settings/", {}).status_code == 403


def test_healthz_on_every_host(tenant_a, public_client, tenant_client):
    for client in (public_client, tenant_client(tenant_a), Client(HTTP_HOST="nowhere.localhost")):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_reports_503_when_redis_is_down(tenant_a, public_client, monkeypatch):
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    monkeypatch.setattr(health, "get_redis_connection", lambda alias: dead)
    response = public_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "unavailable"
    assert response.json()["database"] == "ok"


def test_landing_page_says_what_the_product_is(tenant_a, public_client):
    response = public_client.get("/")
    assert response.status_code == 200
    assert "CRM" in response.content.decode()


def test_tenant_home_is_the_wagtail_home_page(tenant_a, tenant_client):
    response = tenant_client(tenant_a).get("/")
    assert response.status_code == 200
    assert "Alpha Industries" in response.content.decode()


def test_unknown_path_on_public_host_is_404_not_500(tenant_a, public_client):
    assert public_client.get("/does-not-exist/").status_code == 404


def test_unknown_path_on_tenant_host_is_404_not_500(tenant_a, tenant_client):
    assert tenant_client(tenant_a).get("/does-not-exist/").status_code == 404
    api = tenant_client(tenant_a).get("/api/v1/does-not-exist/")
    assert api.status_code == 404


def test_suspended_tenant_admin_can_still_sign_in_and_reach_billing(tenant_a, tenant_client):
    tenant = tenant_a.tenant
    tenant.status = TenantStatus.SUSPENDED
    tenant.save()
    client = tenant_client(tenant_a)
    assert client.get("/accounts/login/").status_code == 200
    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    assert admin.get("/crm/settings/billing/").status_code == 200
    assert admin.get("/crm/").status_code == 403


def test_unknown_host_page_does_not_inherit_the_previous_requests_language(tenant_a):
    from django.utils import translation

    translation.activate("zh-hans")
    response = Client(HTTP_HOST="nowhere.localhost").get("/")
    assert "No workspace at this address" in response.content.decode()
    chinese = Client(HTTP_HOST="nowhere.localhost", HTTP_ACCEPT_LANGUAGE="zh-hans").get("/")
    assert 'lang="zh-hans"' in chinese.content.decode()
