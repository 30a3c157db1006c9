"""Hashed, named, scoped, revocable API tokens; revoked on every password change; the
integrator contract of POST /api/v1/auth/token/ kept; the settings page and the token API
list and revoke only the caller's own tokens."""

import hashlib
import re
from datetime import timedelta
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from crm.api_tokens.models import ApiToken, TokenScope
from crm.api_tokens.services import api_token_create
from crm.core.models import AuditEntry
from tenants.security import throttle
from tenants.users.models import User, UserKind

PASSWORD = "Correct-horse-battery-9"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    caches["throttle"].clear()
    throttle._reset_degraded_state()
    yield
    caches["throttle"].clear()


def _issue(client, email: str, **extra: str) -> str:
    response = client.post("/api/v1/auth/token/", {"email": email, "password": PASSWORD, **extra},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"token"}
    return response.json()["token"]


def _api(tenant_client, tenant, token: str):
    return tenant_client(tenant, HTTP_AUTHORIZATION=f"Token {token}")


def test_token_endpoint_stores_only_a_hash_and_the_secret_authenticates(
    tenant_a, tenant_client, in_tenant
):
    secret = _issue(tenant_client(tenant_a), "manager@alpha.test")
    with in_tenant(tenant_a):
        token = ApiToken.objects.get(user=tenant_a.users["manager"])
        assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret.startswith(token.prefix)
        assert len(token.prefix) < len(secret) // 3
        stored = list(ApiToken.objects.values_list("name", "prefix", "key_hash"))
        assert not any(secret in value for row in stored for value in row)
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('authtoken_token')")
            assert cursor.fetchone()[0] is None  # no plain-text token table
        assert token.scope == TokenScope.READ_WRITE
        assert AuditEntry.objects.filter(action="token.created", object_id=token.pk,
                                         actor=tenant_a.users["manager"]).exists()
    assert _api(tenant_client, tenant_a, secret).get("/api/v1/accounts/").status_code == 200
    assert _api(tenant_client, tenant_a, secret + "x").get("/api/v1/accounts/").status_code == 401


def test_read_token_refuses_unsafe_methods_with_403_json(tenant_a, tenant_client):
    secret = _issue(tenant_client(tenant_a), "manager@alpha.test", scope="read", name="BI")
    client = _api(tenant_client, tenant_a, secret)
    assert client.get("/api/v1/accounts/").status_code == 200
    refused = client.post("/api/v1/accounts/", {"name": "Nope Ltd"},
                          content_type="application/json")
    assert refused.status_code == 403
    assert "read-only" in refused.json()["detail"]
    assert client.post("/api/v1/auth/tokens/", {"name": "escalate"},
                       content_type="application/json").status_code == 403
    writer = _api(tenant_client, tenant_a, _issue(tenant_client(tenant_a), "manager@alpha.test"))
    assert writer.post("/api/v1/accounts/", {}, content_type="application/json").status_code == 400


def test_last_used_at_is_written_at_most_once_a_minute(tenant_a, tenant_client, in_tenant):
    secret = _issue(tenant_client(tenant_a), "rep@alpha.test")
    client = _api(tenant_client, tenant_a, secret)
    client.get("/api/v1/accounts/")
    with in_tenant(tenant_a):
        first = ApiToken.objects.get(user=tenant_a.users["rep"]).last_used_at
    assert first is not None
    client.get("/api/v1/accounts/")
    with in_tenant(tenant_a):
        token = ApiToken.objects.get(user=tenant_a.users["rep"])
        assert token.last_used_at == first
        earlier = timezone.now() - timedelta(minutes=2)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    client.get("/api/v1/accounts/")
    with in_tenant(tenant_a):
        assert ApiToken.objects.get(pk=token.pk).last_used_at > earlier + timedelta(minutes=1)


def test_token_api_lists_creates_and_revokes_own_tokens(tenant_a, tenant_client, in_tenant,
                                                        django_assert_max_num_queries):
    with in_tenant(tenant_a):
        theirs = api_token_create(user=tenant_a.users["manager"], name="Manager's").token
        for index in range(3):
            api_token_create(user=tenant_a.users["rep"], name=f"Rep {index}")
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    created = client.post("/api/v1/auth/tokens/", {"name": "ERP sync", "scope": "read"},
                          content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "ERP sync"
    assert body["scope"] == "read"
    assert body["token"].startswith(body["prefix"])
    with django_assert_max_num_queries(6):
        listed = client.get("/api/v1/auth/tokens/")
    assert listed.status_code == 200
    names = [row["name"] for row in listed.json()]
    assert names[0] == "ERP sync"
    assert len(names) == 4
    assert "Manager's" not in names
    assert not any("token" in row or "key_hash" in row for row in listed.json())

    assert client.delete(f"/api/v1/auth/tokens/{theirs.pk}/").status_code == 404
    assert client.delete("/api/v1/auth/tokens/not-a-number/").status_code == 404
    revoked = client.delete(f"/api/v1/auth/tokens/{body['id']}/")
    assert revoked.status_code == 204
    assert client.delete(f"/api/v1/auth/tokens/{body['id']}/").status_code == 404
    assert _api(tenant_client, tenant_a, body["token"]).get("/api/v1/accounts/").status_code == 401
    with in_tenant(tenant_a):
        assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
        assert AuditEntry.objects.filter(action="token.revoked", object_id=body["id"],
                                         actor=tenant_a.users["rep"]).exists()


def test_token_api_bad_input_is_400_json(tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users["readonly"])
    assert client.post("/api/v1/auth/tokens/", {"name": ""},
                       content_type="application/json").status_code == 400
    assert client.post("/api/v1/auth/tokens/", {"name": "x", "scope": "admin"},
                       content_type="application/json").status_code == 400
    bad = client.post("/api/v1/auth/tokens/", {"name": "a\u001cb"},
                      content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["field"] == "name"  # refused for every text field before the view
    # the read-only role manages its own tokens too
    assert client.post("/api/v1/auth/tokens/", {"name": "ok"},
                       content_type="application/json").status_code == 201


def test_a_token_of_another_tenants_user_id_is_404(tenant_a, tenant_b, tenant_client, in_tenant):
    with in_tenant(tenant_b):
        beta_token = api_token_create(user=tenant_b.users["rep"], name="beta").token
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    assert client.delete(f"/api/v1/auth/tokens/{beta_token.pk}/").status_code == 404


def test_members_cannot_have_tokens(tenant_a, tenant_client, in_tenant):
    with in_tenant(tenant_a):
        member = User.objects.create_user(email="buyer@customer.test", password=PASSWORD,
                                          kind=UserKind.MEMBER)
    client = tenant_client(tenant_a, member)
    assert client.get("/api/v1/auth/tokens/").status_code == 403
    assert client.get("/crm/settings/security/tokens/").status_code == 403


# --- revoked when the password changes ----------------------------------------------------
def test_set_password_revokes_every_token_of_the_user(tenant_a, tenant_client, in_tenant):
    secret = _issue(tenant_client(tenant_a), "rep@alpha.test")
    other = _issue(tenant_client(tenant_a), "rep2@alpha.test")
    with in_tenant(tenant_a):
        rep = User.objects.get(email="rep@alpha.test")
        rep.first_name = "Renamed"
        rep.save()  # an ordinary save keeps the tokens
    assert _api(tenant_client, tenant_a, secret).get("/api/v1/accounts/").status_code == 200
    with in_tenant(tenant_a):
        rep.set_password("Another-horse-battery-7")
        rep.save()
        assert AuditEntry.objects.filter(action="token.revoked",
                                         data__reason="password_changed").exists()
    assert _api(tenant_client, tenant_a, secret).get("/api/v1/accounts/").status_code == 401
    assert _api(tenant_client, tenant_a, other).get("/api/v1/accounts/").status_code == 200


def test_password_reset_confirm_revokes_tokens(tenant_a, tenant_client):
    secret = _issue(tenant_client(tenant_a), "rep@alpha.test")
    client = tenant_client(tenant_a)
    mail.outbox.clear()
    assert client.post("/accounts/password-reset/", {"email": "rep@alpha.test"}).status_code == 302
    link = re.search(r"http://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    done = client.post(form_page.redirect_chain[-1][0],
                       {"new_password1": "Brand-new-horse-42",
                        "new_password2": "Brand-new-horse-42"})
    assert done.status_code == 302
    assert _api(tenant_client, tenant_a, secret).get("/api/v1/accounts/").status_code == 401


def test_admin_password_change_revokes_tokens(tenant_a, tenant_client):
    secret = _issue(tenant_client(tenant_a), "rep@alpha.test")
    rep = tenant_a.users["rep"]
    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    response = admin.post(f"/admin/users/user/{rep.pk}/password/",
                          {"password1": "Admin-set-horse-31", "password2": "Admin-set-horse-31",
                           "usable_password": "true"})
    assert response.status_code == 302, response.content[:500]
    assert _api(tenant_client, tenant_a, secret).get("/api/v1/accounts/").status_code == 401


def test_legacy_drf_tokens_are_hashed_and_keep_working(tenant_a, tenant_client, in_tenant):
    legacy_key = "0123456789abcdef0123456789abcdef01234567"
    migration = import_module("crm.api_tokens.migrations.0002_import_legacy_drf_tokens")
    with in_tenant(tenant_a):
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
                           "created timestamptz NOT NULL, user_id bigint NOT NULL)")
            cursor.execute("INSERT INTO authtoken_token VALUES (%s, now(), %s)",
                           [legacy_key, tenant_a.users["agent"].pk])
        migration.import_legacy_tokens(apps, SimpleNamespace(connection=connection))
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('authtoken_token')")
            assert cursor.fetchone()[0] is None
        assert not ApiToken.objects.filter(key_hash=legacy_key).exists()
    assert _api(tenant_client, tenant_a, legacy_key).get("/api/v1/accounts/").status_code == 200


# --- the settings page ----------------------------------------------------------------------
def test_settings_page_creates_shows_the_secret_once_and_revokes(tenant_a, tenant_client,
                                                                 in_tenant):
    from crm.core.settings_sections import settings_sections_for

    assert "api_tokens" in [s["key"] for s in settings_sections_for(tenant_a.users["readonly"])]
    client = tenant_client(tenant_a, tenant_a.users["readonly"])
    page = client.get("/crm/settings/security/tokens/")
    assert page.status_code == 200
    created = client.post("/crm/settings/security/tokens/new/", {"name": "Laptop script",
                                                                 "scope": "read"})
    assert created.status_code == 200
    secret = re.search(r"<pre><code>(\S+)</code></pre>", created.content.decode()).group(1)
    assert _api(tenant_client, tenant_a, secret).get("/api/v1/accounts/").status_code == 200
    listing = client.get("/crm/settings/security/tokens/").content.decode()
    assert "Laptop script" in listing
    assert secret not in listing
    with in_tenant(tenant_a):
        token = ApiToken.objects.get(name="Laptop script")
        theirs = api_token_create(user=tenant_a.users["admin"], name="Admin's").token
    assert client.post(f"/crm/settings/security/tokens/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/crm/settings/security/tokens/{token.pk}/revoke/").status_code == 302
    assert _api(tenant_client, tenant_a, secret).get("/api/v1/accounts/").status_code == 401
    bad = client.post("/crm/settings/security/tokens/new/", {"name": "", "scope": "read"})
    assert bad.status_code == 200
    assert "<pre><code>" not in bad.content.decode()


def test_settings_page_requires_sign_in(tenant_a, tenant_client):
    response = tenant_client(tenant_a).get("/crm/settings/security/tokens/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
