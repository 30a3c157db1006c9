"""Tenant isolation: logins, sessions, cache keys, media paths and Celery tasks never cross
tenants."""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from tenants.tasks import record_seat_usage


def test_staff_of_a_cannot_log_in_on_bs_host(tenant_a, tenant_b, tenant_client):
    client = tenant_client(tenant_b)
    response = client.post("/accounts/login/", {"username": "rep@alpha.test",
                                                "password": "Correct-horse-battery-9"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert client.get("/crm/").status_code == 302


def test_session_cookie_of_a_is_not_accepted_on_bs_host(tenant_a, tenant_b, tenant_client):
    client_a = tenant_client(tenant_a, tenant_a.users["admin"])
    assert client_a.get("/crm/").status_code == 200
    session_cookie = client_a.cookies["sessionid"]

    client_b = tenant_client(tenant_b)
    client_b.cookies["sessionid"] = session_cookie.value
    response = client_b.get("/crm/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_session_cookie_is_host_only(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    client.post("/accounts/login/", {"username": "admin@alpha.test",
                                     "password": "Correct-horse-battery-9"})
    assert client.cookies["sessionid"]["domain"] == ""


def test_api_token_of_a_is_rejected_on_bs_host(tenant_a, tenant_b, tenant_client):
    token = tenant_client(tenant_a).post(
        "/api/v1/auth/token/", {"email": "admin@alpha.test", "password": "Correct-horse-battery-9"},
        content_type="application/json",
    ).json()["token"]
    assert tenant_client(tenant_a).get(
        "/api/v1/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    assert tenant_client(tenant_b).get(
        "/api/v1/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401


def test_same_cache_key_holds_different_values_per_tenant(tenant_a, tenant_b, in_tenant):
    with in_tenant(tenant_a):
        cache.set("dashboard:totals", "alpha-value", 60)
    with in_tenant(tenant_b):
        assert cache.get("dashboard:totals") is None
        cache.set("dashboard:totals", "beta-value", 60)
    with in_tenant(tenant_a):
        assert cache.get("dashboard:totals") == "alpha-value"
        cache.delete("dashboard:totals")
    with in_tenant(tenant_b):
        assert cache.get("dashboard:totals") == "beta-value"
        cache.delete("dashboard:totals")


def test_uploaded_files_are_stored_under_the_tenants_schema(tenant_a, tenant_b, in_tenant):
    with in_tenant(tenant_a):
        name = default_storage.save("docs/contract.txt", ContentFile(b"alpha"))
        path_a = default_storage.path(name)
    with in_tenant(tenant_b):
        assert not default_storage.exists(name)
    assert "/t_alpha/" in path_a
    with in_tenant(tenant_a):
        default_storage.delete(name)


@pytest.mark.worker
def test_task_sent_from_a_runs_in_as_schema_on_a_real_worker(
    tenant_a, tenant_b, in_tenant, celery_worker_queue
):
    with in_tenant(tenant_a):
        result_a = record_seat_usage.apply_async(queue=celery_worker_queue)
    with in_tenant(tenant_b):
        result_b = record_seat_usage.apply_async(queue=celery_worker_queue)
    connection.set_schema_to_public()
    # alpha has 7 active staff users, beta 9 (see tests/conftest.py)
    assert result_a.get(timeout=60) == {"schema": "t_alpha", "seats_used": 7}
    assert result_b.get(timeout=60) == {"schema": "t_beta", "seats_used": 9}
