"""Tenant B's user ids answer 404 on tenant A's host, on every page and API action (the
ids exist only in beta, by construction)."""

import pytest

from tenants.users.models import Role, User, UserKind

BETA_ONLY_ID = 9_000_001


@pytest.fixture
def beta_user(tenant_b, in_tenant) -> User:
    with in_tenant(tenant_b):
        return User.objects.create_user(pk=BETA_ONLY_ID, email="only@beta.test",
                                        role=Role.SALES_REP, kind=UserKind.STAFF)


def test_beta_user_id_is_missing_in_alpha(tenant_a, in_tenant, beta_user):
    with in_tenant(tenant_a):
        assert not User.objects.filter(pk=beta_user.pk).exists()


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/crm/settings/users/{id}/"),
    ("post", "/crm/settings/users/{id}/role/"),
    ("post", "/crm/settings/users/{id}/deactivate/"),
    ("post", "/crm/settings/users/{id}/reactivate/"),
    ("post", "/crm/settings/users/{id}/password-reset/"),
    ("post", "/crm/settings/users/{id}/invitation/resend/"),
    ("post", "/crm/settings/users/{id}/invitation/revoke/"),
    ("get", "/api/v1/users/{id}/"),
    ("patch", "/api/v1/users/{id}/"),
    ("post", "/api/v1/users/{id}/deactivate/"),
    ("post", "/api/v1/users/{id}/reactivate/"),
])
def test_beta_ids_answer_404_on_alpha(tenant_a, tenant_client, beta_user, method, path):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = getattr(client, method)(path.format(id=beta_user.pk), {"role": "manager"},
                                       content_type="application/json")
    assert response.status_code == 404
    assert "only@beta.test" not in response.content.decode()


def test_alpha_list_shows_nothing_of_beta(tenant_a, tenant_client, beta_user):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    assert "beta.test" not in client.get("/crm/settings/users/").content.decode()
    assert "beta.test" not in client.get("/api/v1/users/").content.decode()
