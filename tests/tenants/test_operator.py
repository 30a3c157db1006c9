import pytest
from django.test import Client

from tenants.models import OperatorAction, Tenant, TenantStatus
from tenants.provisioning.platform_setup import operator_ensure


@pytest.fixture
def operator_client(tenant_a, public_client):
    operator_ensure(email="ops@platform.test", password="Ops-password-123")
    response = public_client.post("/operator/login/", {"username": "ops@platform.test",
                                                       "password": "Ops-password-123"})
    assert response.status_code == 302
    return public_client


def test_operator_console_requires_an_operator(tenant_a, public_client):
    response = public_client.get("/operator/")
    assert response.status_code == 302
    assert response["Location"].startswith("/operator/login/")


def test_tenant_staff_cannot_use_the_operator_console(tenant_a, public_client):
    response = public_client.post("/operator/login/", {"username": "admin@alpha.test",
                                                       "password": "Correct-horse-battery-9"})
    assert response.status_code == 200  # unknown in the public schema
    assert public_client.get("/operator/tenants/").status_code == 302


def test_operator_sees_tenants_with_status_plan_and_user_count(
    tenant_a, tenant_b, operator_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        page = operator_client.get("/operator/tenants/")
    content = page.content.decode()
    assert "Alpha Industries" in content
    assert "Beta Trading" in content
    assert "<td>7</td>" in content
    assert "<td>9</td>" in content


def test_operator_suspends_and_reactivates_with_audit(tenant_a, operator_client, tenant_client):
    tenant = tenant_a.tenant
    response = operator_client.post(f"/operator/tenants/{tenant.pk}/suspend/",
                                    {"reason": "Abuse report #42"})
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.status == TenantStatus.SUSPENDED
    assert tenant_client(tenant_a).get("/").status_code == 403

    operator_client.post(f"/operator/tenants/{tenant.pk}/reactivate/", {"reason": "Resolved"})
    tenant.refresh_from_db()
    assert tenant.status == TenantStatus.TRIAL
    actions = list(OperatorAction.objects.filter(tenant=tenant).order_by("created_at"))
    assert [a.action for a in actions] == ["suspend", "reactivate"]
    assert actions[0].reason == "Abuse report #42"
    assert actions[0].before == {"status": "trial"}
    assert actions[0].operator.email == "ops@platform.test"


def test_operator_action_without_reason_changes_nothing(tenant_a, operator_client):
    tenant = tenant_a.tenant
    operator_client.post(f"/operator/tenants/{tenant.pk}/suspend/", {"reason": ""})
    assert Tenant.objects.get(pk=tenant.pk).status == TenantStatus.TRIAL
    assert not OperatorAction.objects.filter(tenant=tenant).exists()


def test_operator_unknown_action_or_tenant_is_404(tenant_a, operator_client):
    assert operator_client.post(f"/operator/tenants/{tenant_a.tenant.pk}/explode/",
                                {"reason": "x"}).status_code == 404
    assert operator_client.get("/operator/tenants/999999/").status_code == 404


def test_operator_console_is_not_on_tenant_hosts(tenant_a):
    assert Client(HTTP_HOST="alpha.localhost").get("/operator/").status_code == 404
