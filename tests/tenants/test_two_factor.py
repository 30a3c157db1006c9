"""Two-factor sign-in (tenants.two_factor): enrolment with a real TOTP code, the code step
after the password, the throttle on wrong codes, backup codes, unverified sessions held back
on every staff surface, the token endpoint, operators, and tenant isolation of devices."""

import re
import time

import pytest
from django.core.cache import caches
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm.core.models import AuditEntry
from tenants.models import OperatorAction
from tenants.security.throttle import _reset_degraded_state
from tenants.two_factor import services
from tenants.users.models import User, UserKind

PASSWORD = "Correct-horse-battery-9"
OPS_PASSWORD = "Ops-password-123"


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Devices roll back with each test; the cached "has two-factor" answers and the
    throttle counters must not outlive them."""
    caches["default"].clear()
    _reset_degraded_state()
    yield
    caches["default"].clear()
    _reset_degraded_state()


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or ``steps_ahead`` periods later)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user: User) -> tuple[TOTPDevice, list[str]]:
    """Two-factor on for ``user`` through the services (call inside the user's schema)."""
    device = services.totp_device_start(user=user)
    return services.totp_device_confirm(user=user, token=code_for(device))


def password_sign_in(client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": email, "password": password})


# --- enrolment ---------------------------------------------------------------------------

def test_enrolment_page_shows_a_server_drawn_qr_code_and_confirms_with_a_real_code(
        tenant_a, tenant_client, in_tenant):
    rep = tenant_a.users["rep"]
    client = tenant_client(tenant_a, rep)
    page = client.get("/crm/settings/security/two-factor/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body
    assert "<path" in body
    assert "http" not in body.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org", "")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', body).group(1)
    with in_tenant(tenant_a):
        device = TOTPDevice.objects.get(user=rep, confirmed=False)
        assert services.totp_secret(device) == secret
        assert not services.two_factor_enabled(user=rep)

    wrong = client.post("/crm/settings/security/two-factor/",
                        {"action": "confirm", "code": "000000" if code_for(device) != "000000"
                         else "111111"})
    assert wrong.status_code == 400
    with in_tenant(tenant_a):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0,
                                                       throttling_failure_timestamp=None)
        code = code_for(device)
    done = client.post("/crm/settings/security/two-factor/", {"action": "confirm",
                                                              "code": code})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10  # the backup codes, shown this once
    with in_tenant(tenant_a):
        assert TOTPDevice.objects.get(pk=device.pk).confirmed
        assert StaticDevice.objects.get(user=rep).token_set.count() == 10
        assert AuditEntry.objects.filter(action="auth.2fa_enabled", actor=rep).exists()
    again = client.get("/crm/settings/security/two-factor/").content.decode()
    assert codes[0] not in again  # never shown again
    assert "<svg" not in again


def test_the_section_is_listed_for_every_staff_role(tenant_a, tenant_client, in_tenant):
    from crm.core.settings_sections import settings_sections_for

    with in_tenant(tenant_a):
        for user in tenant_a.users.values():
            keys = [section["key"] for section in settings_sections_for(user)]
            assert "two_factor" in keys, user.email
    page = tenant_client(tenant_a, tenant_a.users["readonly"]).get(
        "/crm/settings/security/two-factor/")
    assert page.status_code == 200


def test_disabling_requires_a_current_code(tenant_a, tenant_client, in_tenant):
    rep = tenant_a.users["rep"]
    with in_tenant(tenant_a):
        device, _codes = enrol(rep)
    client = tenant_client(tenant_a)
    password_sign_in(client, "rep@alpha.test")
    with in_tenant(tenant_a):
        code = code_for(device, 1)
    assert client.post("/accounts/two-factor/", {"code": code}).status_code == 302
    refused = client.post("/crm/settings/security/two-factor/",
                          {"action": "disable", "code": "12345"})
    assert refused.status_code == 400
    with in_tenant(tenant_a):
        assert services.two_factor_enabled(user=rep)
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0,
                                                       throttling_failure_timestamp=None)
        code = code_for(device, 2)
    off = client.post("/crm/settings/security/two-factor/", {"action": "disable",
                                                             "code": code})
    assert off.status_code == 302
    with in_tenant(tenant_a):
        assert not TOTPDevice.objects.filter(user=rep).exists()
        assert not StaticDevice.objects.filter(user=rep).exists()
        assert AuditEntry.objects.filter(action="auth.2fa_disabled", actor=rep).exists()


# --- the code step -----------------------------------------------------------------------

def test_sign_in_needs_the_code_before_the_crm_opens(tenant_a, tenant_client, in_tenant):
    rep = tenant_a.users["rep"]
    with in_tenant(tenant_a):
        device, _codes = enrol(rep)
    client = tenant_client(tenant_a)
    assert password_sign_in(client, "rep@alpha.test").status_code == 302
    held = client.get("/crm/")
    assert held.status_code == 302
    assert held["Location"].startswith("/accounts/two-factor/?next=/crm/")
    step = client.get(held["Location"])
    assert step.status_code == 200
    with in_tenant(tenant_a):
        code = code_for(device, 1)
    passed = client.post("/accounts/two-factor/", {"code": code, "next": "/crm/"})
    assert passed.status_code == 302
    assert passed["Location"] == "/crm/"
    assert client.get("/crm/").status_code == 200
    # The same code cannot be used twice (replay).
    other = tenant_client(tenant_a)
    password_sign_in(other, "rep@alpha.test")
    assert other.post("/accounts/two-factor/", {"code": code}).status_code == 400


def test_users_without_two_factor_sign_in_as_before(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    password_sign_in(client, "manager@alpha.test")
    assert client.get("/crm/").status_code == 200


@pytest.mark.parametrize("path", ["/crm/", "/crm/settings/security/two-factor/", "/cms/",
                                  "/admin/"])
def test_an_unverified_session_is_held_back_on_every_staff_surface(
        tenant_a, tenant_client, in_tenant, path):
    admin = tenant_a.users["admin"]
    with in_tenant(tenant_a):
        enrol(admin)
    client = tenant_client(tenant_a, admin)  # signed in with the password only
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")


def test_an_unverified_session_gets_403_json_from_the_api(tenant_a, tenant_client,
                                                          in_tenant):
    admin = tenant_a.users["admin"]
    with in_tenant(tenant_a):
        enrol(admin)
    response = tenant_client(tenant_a, admin).get("/api/v1/accounts/")
    assert response.status_code == 403
    assert response.json()["code"] == "otp_required"


def test_wrong_codes_are_throttled_for_that_login_name(tenant_a, tenant_client, in_tenant,
                                                       settings):
    settings.AUTH_THROTTLE_LIMITS = {"login": {"per_name": 3, "per_address": 100,
                                               "window": 900}}
    rep = tenant_a.users["rep"]
    with in_tenant(tenant_a):
        device, _codes = enrol(rep)
        good = code_for(device, 1)
    client = tenant_client(tenant_a)
    password_sign_in(client, "rep@alpha.test")
    bad = "000000" if good != "000000" else "111111"
    statuses = [client.post("/accounts/two-factor/", {"code": bad}).status_code
                for _attempt in range(3)]
    assert statuses == [400, 400, 400]
    blocked = client.post("/accounts/two-factor/", {"code": good})
    assert blocked.status_code == 429
    assert blocked["Retry-After"]
    # Signing in again with the password does not wipe the failed codes.
    fresh = tenant_client(tenant_a)
    assert password_sign_in(fresh, "rep@alpha.test").status_code == 429


def test_a_backup_code_works_once(tenant_a, tenant_client, in_tenant):
    rep = tenant_a.users["rep"]
    with in_tenant(tenant_a):
        _device, codes = enrol(rep)
    first = tenant_client(tenant_a)
    password_sign_in(first, "rep@alpha.test")
    assert first.post("/accounts/two-factor/", {"code": codes[0].upper()}).status_code == 302
    assert first.get("/crm/").status_code == 200
    second = tenant_client(tenant_a)
    password_sign_in(second, "rep@alpha.test")
    assert second.post("/accounts/two-factor/", {"code": codes[0]}).status_code == 400
    assert second.get("/crm/").status_code == 302
    with in_tenant(tenant_a):
        assert AuditEntry.objects.filter(action="auth.2fa_backup_used", actor=rep).count() == 1


def test_the_code_step_redirects_only_to_this_host(tenant_a, tenant_client, in_tenant):
    rep = tenant_a.users["rep"]
    with in_tenant(tenant_a):
        device, _codes = enrol(rep)
        code = code_for(device, 1)
    client = tenant_client(tenant_a)
    password_sign_in(client, "rep@alpha.test")
    response = client.post("/accounts/two-factor/", {"code": code,
                                                     "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/crm/"


# --- the token endpoint ------------------------------------------------------------------

def test_token_creation_needs_the_second_factor(tenant_a, tenant_client, in_tenant):
    manager = tenant_a.users["manager"]
    with in_tenant(tenant_a):
        device, _codes = enrol(manager)
        code = code_for(device, 1)
    client = tenant_client(tenant_a)
    payload = {"email": "manager@alpha.test", "password": PASSWORD}
    missing = client.post("/api/v1/auth/token/", payload, content_type="application/json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "otp_required"
    wrong = client.post("/api/v1/auth/token/", {**payload, "otp": "12"},
                        content_type="application/json")
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_otp"
    with in_tenant(tenant_a):  # django-otp's own per-device delay after a wrong code
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0,
                                                       throttling_failure_timestamp=None)
    ok = client.post("/api/v1/auth/token/", {**payload, "otp": code},
                     content_type="application/json")
    assert ok.status_code == 200
    # Token calls are not held back by the session check.
    root = tenant_client(tenant_a).get("/api/v1/accounts/",
                                       HTTP_AUTHORIZATION=f"Token {ok.json()['token']}")
    assert root.status_code == 200


# --- isolation ---------------------------------------------------------------------------

def test_a_device_of_one_tenant_does_not_exist_on_another(tenant_a, tenant_b, in_tenant,
                                                          tenant_client):
    with in_tenant(tenant_a):
        device, _codes = enrol(tenant_a.users["admin"])
        device_pk = device.pk
    with in_tenant(tenant_b):
        assert not TOTPDevice.objects.filter(pk=device_pk).exists()
        assert not TOTPDevice.objects.filter(user__email="admin@alpha.test").exists()
    # Tenant B's admin (another user on another host) signs in without a code.
    client = tenant_client(tenant_b)
    password_sign_in(client, "admin@beta.test")
    assert client.get("/crm/").status_code == 200


# --- operators ---------------------------------------------------------------------------

@pytest.fixture
def operator(db) -> User:
    return User.objects.create_user(email="ops@platform.test", password=OPS_PASSWORD,
                                    kind=UserKind.OPERATOR)


def test_operators_sign_in_without_a_code_when_not_required(tenant_a, operator,
                                                            public_client):
    public_client.post("/operator/login/", {"username": "ops@platform.test",
                                            "password": OPS_PASSWORD})
    assert public_client.get("/operator/").status_code == 200


def test_operators_must_enrol_when_required(tenant_a, operator, public_client, settings):
    settings.OPERATOR_REQUIRE_2FA = True
    public_client.post("/operator/login/", {"username": "ops@platform.test",
                                            "password": OPS_PASSWORD})
    held = public_client.get("/operator/tenants/")
    assert held.status_code == 302
    assert held["Location"].startswith("/operator/two-factor/setup/")
    assert public_client.get("/operator/admin/").status_code == 302
    page = public_client.get(held["Location"])
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=operator, confirmed=False)
    done = public_client.post("/operator/two-factor/setup/", {"action": "confirm",
                                                              "code": code_for(device)})
    assert done.status_code == 200
    assert public_client.get("/operator/tenants/").status_code == 200
    assert OperatorAction.objects.filter(operator=operator, action="auth.2fa_enabled").exists()


def test_an_operator_with_a_device_passes_the_code_step(tenant_a, operator, public_client,
                                                        settings):
    settings.OPERATOR_REQUIRE_2FA = True
    device, _codes = enrol(operator)
    public_client.post("/operator/login/", {"username": "ops@platform.test",
                                            "password": OPS_PASSWORD})
    held = public_client.get("/operator/")
    assert held["Location"].startswith("/operator/two-factor/?next=/operator/")
    wrong = public_client.post("/operator/two-factor/", {"code": "abc"})
    assert wrong.status_code == 400
    passed = public_client.post("/operator/two-factor/", {"code": code_for(device, 1)})
    assert passed.status_code == 302
    assert passed["Location"] == "/operator/"
    assert public_client.get("/operator/").status_code == 200
