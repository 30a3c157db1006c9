"""The one sign-in throttle: every way in (staff, Wagtail, Django admin, API token, operator,
password resets) counts against the same per-name and per-address limits, answers 429, is
tenant-scoped, reads the client address from one setting and survives a Redis outage."""

import logging
import re

import pytest
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core import mail
from django.core.cache import caches
from django.test import Client, RequestFactory
from rest_framework.throttling import SimpleRateThrottle

from tenants.provisioning.platform_setup import operator_ensure
from tenants.security import throttle
from tenants.security.client_ip import client_ip

PASSWORD = "Correct-horse-battery-9"
LOCKED = "Too many sign-in attempts"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    caches["throttle"].clear()
    throttle._reset_degraded_state()
    yield
    caches["throttle"].clear()
    throttle._reset_degraded_state()


def _fail(client: Client, path: str, name: str, times: int = 10) -> None:
    for _ in range(times):
        response = client.post(path, {"username": name, "password": "wrong-guess"})
        assert response.status_code == 200, response.status_code


def _assert_locked_page(response) -> None:
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert int(response["Retry-After"]) > 0


# --- every path -----------------------------------------------------------------------
def test_staff_login_answers_429_with_retry_after_after_ten_failures(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    _fail(client, "/accounts/login/", "rep@alpha.test")
    locked = client.post("/accounts/login/", {"username": "rep@alpha.test", "password": PASSWORD})
    _assert_locked_page(locked)
    assert 'value="rep@alpha.test"' in locked.content.decode()  # what was typed stays
    assert client.get("/crm/").status_code == 302


def test_wagtail_login_is_throttled(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    _fail(client, "/cms/login/", "admin@alpha.test")
    locked = client.post("/cms/login/", {"username": "admin@alpha.test", "password": PASSWORD})
    _assert_locked_page(locked)
    assert client.get("/cms/").status_code == 302  # still signed out


def test_wagtail_login_still_signs_in_below_the_limit(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    _fail(client, "/cms/login/", "admin@alpha.test", times=3)
    ok = client.post("/cms/login/", {"username": "admin@alpha.test", "password": PASSWORD})
    assert ok.status_code == 302
    assert client.get("/cms/").status_code == 200


def test_django_admin_login_is_throttled(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    _fail(client, "/admin/login/", "admin@alpha.test")
    locked = client.post("/admin/login/", {"username": "admin@alpha.test", "password": PASSWORD,
                                           "next": "/admin/"})
    _assert_locked_page(locked)
    assert "admin/login.html" in [template.name for template in locked.templates]
    assert client.get("/admin/").status_code == 302


def test_django_admin_login_still_works_below_the_limit(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    page = client.get("/admin/login/")
    assert page.status_code == 200
    ok = client.post("/admin/login/", {"username": "admin@alpha.test", "password": PASSWORD,
                                       "next": "/admin/"})
    assert ok.status_code == 302
    assert ok["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/").status_code == 302  # signed in: to the index


def test_api_token_endpoint_is_throttled_with_json_and_retry_after(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    for _ in range(10):
        wrong = client.post("/api/v1/auth/token/",
                            {"email": "manager@alpha.test", "password": "wrong"},
                            content_type="application/json")
        assert wrong.status_code == 400
    locked = client.post("/api/v1/auth/token/",
                         {"email": "MANAGER@alpha.test", "password": PASSWORD},
                         content_type="application/json")
    assert locked.status_code == 429
    body = locked.json()
    assert body["code"] == "throttled"
    assert LOCKED in body["detail"]
    assert int(locked["Retry-After"]) > 0
    assert "token" not in body


def test_operator_login_on_the_public_host_is_throttled(tenant_a, public_client):
    operator_ensure(email="ops@platform.test", password="Ops-password-123")
    _fail(public_client, "/operator/login/", "ops@platform.test")
    locked = public_client.post("/operator/login/", {"username": "ops@platform.test",
                                                     "password": "Ops-password-123"})
    _assert_locked_page(locked)
    assert public_client.get("/operator/").status_code == 302


def test_staff_password_reset_requests_are_throttled(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    mail.outbox.clear()
    for _ in range(5):
        assert client.post("/accounts/password-reset/",
                           {"email": "rep@alpha.test"}).status_code == 302
    locked = client.post("/accounts/password-reset/", {"email": " REP@alpha.test"})
    assert locked.status_code == 429
    assert "Too many password reset requests" in locked.content.decode()
    assert len(mail.outbox) == 5  # the refused request sent nothing


def test_wagtail_password_reset_requests_are_throttled(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    mail.outbox.clear()
    for _ in range(5):
        assert client.post("/cms/password_reset/",
                           {"email": "admin@alpha.test"}).status_code == 302
    locked = client.post("/cms/password_reset/", {"email": "admin@alpha.test"})
    assert locked.status_code == 429
    assert "Too many password reset requests" in locked.content.decode()
    assert len(mail.outbox) == 5


# --- one throttle, keyed right ------------------------------------------------------------
def test_failures_on_one_path_lock_the_name_on_every_other_path(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    _fail(client, "/cms/login/", "admin@alpha.test", times=4)
    _fail(client, "/admin/login/", "admin@alpha.test", times=3)
    for _ in range(3):
        client.post("/api/v1/auth/token/", {"email": "admin@alpha.test", "password": "x"},
                    content_type="application/json")
    locked = client.post("/accounts/login/", {"username": "admin@alpha.test",
                                              "password": PASSWORD})
    _assert_locked_page(locked)


def test_login_name_is_case_folded_and_trimmed(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    variants = ["REP@alpha.test", " rep@ALPHA.test ", "Rep@Alpha.Test"] * 3 + ["rep@alpha.test"]
    for variant in variants:
        client.post("/accounts/login/", {"username": variant, "password": "wrong"})
    _assert_locked_page(client.post("/accounts/login/", {"username": "rep@alpha.test",
                                                         "password": PASSWORD}))


def test_a_locked_name_does_not_lock_other_names_from_the_same_address(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    _fail(client, "/accounts/login/", "rep@alpha.test")
    other = tenant_client(tenant_a)  # same REMOTE_ADDR (one office behind a NAT)
    ok = other.post("/accounts/login/", {"username": "manager@alpha.test", "password": PASSWORD})
    assert ok.status_code == 302
    assert other.get("/crm/").status_code == 200


def test_the_address_limit_blocks_every_name_from_that_address_only(tenant_a, tenant_client,
                                                                   settings):
    settings.AUTH_THROTTLE_LIMITS = {"login": {"per_address": 5}}
    client = tenant_client(tenant_a)
    for index in range(5):
        client.post("/accounts/login/", {"username": f"nobody{index}@alpha.test",
                                         "password": "x"})
    _assert_locked_page(client.post("/accounts/login/", {"username": "manager@alpha.test",
                                                         "password": PASSWORD}))
    elsewhere = tenant_client(tenant_a, REMOTE_ADDR="203.0.113.7")
    assert elsewhere.post("/accounts/login/", {"username": "manager@alpha.test",
                                               "password": PASSWORD}).status_code == 302


def test_a_forged_x_forwarded_for_does_not_escape_the_address_limit(tenant_a, tenant_client,
                                                                    settings):
    settings.AUTH_THROTTLE_LIMITS = {"login": {"per_address": 5}}
    client = tenant_client(tenant_a)
    for index in range(5):
        client.post("/accounts/login/", {"username": f"nobody{index}@alpha.test",
                                         "password": "x"},
                    HTTP_X_FORWARDED_FOR=f"198.51.100.{index}")
    locked = client.post("/accounts/login/", {"username": "manager@alpha.test",
                                              "password": PASSWORD},
                         HTTP_X_FORWARDED_FOR="198.51.100.99")
    _assert_locked_page(locked)


def test_a_successful_sign_in_clears_the_names_failures(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    _fail(client, "/accounts/login/", "rep@alpha.test", times=9)
    assert client.post("/accounts/login/", {"username": "rep@alpha.test",
                                            "password": PASSWORD}).status_code == 302
    fresh = tenant_client(tenant_a)
    _fail(fresh, "/accounts/login/", "rep@alpha.test", times=9)
    assert fresh.post("/accounts/login/", {"username": "rep@alpha.test",
                                           "password": PASSWORD}).status_code == 302


def test_throttle_keys_are_tenant_scoped(tenant_a, tenant_b, in_tenant, in_public):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="192.0.2.10")
    with in_tenant(tenant_a):
        for _ in range(10):
            throttle.throttle_record_failure(request, "shared@example.test")
        assert throttle.throttle_check(request, "shared@example.test").blocked
        assert caches["throttle"].make_key("probe").startswith("t_alpha:")
    with in_tenant(tenant_b):
        assert not throttle.throttle_check(request, "shared@example.test").blocked
        assert caches["throttle"].make_key("probe").startswith("t_beta:")
    with in_public():
        assert not throttle.throttle_check(request, "shared@example.test").blocked


def test_the_same_name_locked_on_one_tenant_signs_in_on_another(tenant_a, tenant_b,
                                                                tenant_client):
    alpha = tenant_client(tenant_a)
    _fail(alpha, "/accounts/login/", "rep@beta.test")  # unknown on alpha, still counted
    beta = tenant_client(tenant_b)
    assert beta.post("/accounts/login/", {"username": "rep@beta.test",
                                          "password": PASSWORD}).status_code == 302


# --- signals ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/accounts/login/", "/cms/login/", "/admin/login/"])
def test_every_login_page_sends_the_auth_signals(tenant_a, tenant_client, path):
    failed, logged_in = [], []

    def on_failed(sender, credentials, request=None, **kwargs):
        failed.append((credentials.get("username"), request is not None))

    def on_logged_in(sender, request, user, **kwargs):
        logged_in.append(user.email)

    user_login_failed.connect(on_failed)
    user_logged_in.connect(on_logged_in)
    try:
        client = tenant_client(tenant_a)
        client.post(path, {"username": "admin@alpha.test", "password": "wrong"})
        client.post(path, {"username": "admin@alpha.test", "password": PASSWORD})
    finally:
        user_login_failed.disconnect(on_failed)
        user_logged_in.disconnect(on_logged_in)
    assert failed == [("admin@alpha.test", True)]
    assert logged_in == ["admin@alpha.test"]


def test_token_endpoint_sends_the_auth_signals(tenant_a, tenant_client):
    failed, logged_in = [], []

    def on_failed(sender, credentials, request=None, **kwargs):
        failed.append(credentials.get("username"))

    def on_logged_in(sender, request, user, **kwargs):
        logged_in.append(user.email)

    user_login_failed.connect(on_failed)
    user_logged_in.connect(on_logged_in)
    try:
        client = tenant_client(tenant_a)
        client.post("/api/v1/auth/token/", {"email": "rep@alpha.test", "password": "nope"},
                    content_type="application/json")
        client.post("/api/v1/auth/token/", {"email": "rep@alpha.test", "password": PASSWORD},
                    content_type="application/json")
    finally:
        user_login_failed.disconnect(on_failed)
        user_logged_in.disconnect(on_logged_in)
    assert failed == ["rep@alpha.test"]
    assert logged_in == ["rep@alpha.test"]


# --- client address -----------------------------------------------------------------------
def test_client_ip_ignores_x_forwarded_for_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5",
                                   HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "10.0.0.5"


def test_client_ip_takes_the_entry_the_trusted_proxies_added(settings):
    factory = RequestFactory()
    settings.TRUSTED_PROXY_COUNT = 1
    request = factory.get("/", REMOTE_ADDR="10.0.0.5",
                          HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"  # the client's own "6.6.6.6" is not trusted
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    garbage = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(garbage) == "10.0.0.5"


def test_client_ip_reads_the_configured_header(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_REAL_IP="203.0.113.4",
                                   HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "203.0.113.4"


def test_drf_throttles_trust_x_forwarded_for_only_behind_the_configured_proxies(settings):
    from django.conf import settings as live

    assert live.REST_FRAMEWORK["NUM_PROXIES"] == live.TRUSTED_PROXY_COUNT == 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5",
                                   HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert SimpleRateThrottle.get_ident(SimpleRateThrottle.__new__(SimpleRateThrottle),
                                        request) == "10.0.0.5"


# --- Redis unreachable ----------------------------------------------------------------------
def test_sign_in_works_and_the_throttle_counts_in_process_when_redis_is_down(
    tenant_a, tenant_client, settings, caplog
):
    dead = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CACHES = {alias: {**config, "LOCATION": dead}
                       for alias, config in settings.CACHES.items()}
    with caplog.at_level(logging.WARNING, logger="tenants.security.throttle"):
        client = tenant_client(tenant_a)
        ok = client.post("/accounts/login/", {"username": "manager@alpha.test",
                                              "password": PASSWORD})
        assert ok.status_code == 302
        assert client.get("/crm/").status_code == 200
        attacker = tenant_client(tenant_a)
        _fail(attacker, "/accounts/login/", "rep@alpha.test")
        _assert_locked_page(attacker.post("/accounts/login/", {"username": "rep@alpha.test",
                                                               "password": PASSWORD}))
        # other names still sign in during the outage
        assert tenant_client(tenant_a).post(
            "/accounts/login/", {"username": "admin@alpha.test", "password": PASSWORD}
        ).status_code == 302
    assert any(re.search("cache unreachable", record.getMessage()) for record in caplog.records)
