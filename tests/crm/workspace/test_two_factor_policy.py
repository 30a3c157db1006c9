"""The workspace's security policy: two-factor required for administrators (or everyone)
sends those without a device to the enrolment page and nowhere else; the session lifetime
applies to sign-ins; both are saved by workspace_update and audited."""

import time

import pytest
from django.core.cache import caches
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm.core.models import AuditEntry
from crm.workspace.models import WorkspaceSettings
from crm.workspace.services import workspace_update
from tenants.security.throttle import _reset_degraded_state

PAGE = "/crm/settings/workspace/"
SETUP = "/crm/settings/security/two-factor/"
PASSWORD = "Correct-horse-battery-9"


@pytest.fixture(autouse=True)
def _fresh_caches():
    """The policy and "has two-factor" answers are cached; the rows roll back per test."""
    caches["default"].clear()
    _reset_degraded_state()
    yield
    caches["default"].clear()
    _reset_degraded_state()


def _form(**overrides):
    data = {"name": "Alpha Industries", "currency": "USD", "language": "en",
            "time_zone": "UTC", "fiscal_year_start_month": "1", "date_format": "iso",
            "number_format": "en-US"}
    data.update(overrides)
    return data


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    totp.time = time.time()
    return f"{totp.token():06d}"


def _policy(tenant_fixture, in_tenant, **values):
    with in_tenant(tenant_fixture):
        workspace_update(actor=tenant_fixture.users["admin"], tenant=tenant_fixture.tenant,
                         **values)


def test_admin_saves_the_security_policy_on_the_workspace_page(tenant_a, tenant_client,
                                                               in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.post(PAGE, _form(require_2fa_admins="on", session_lifetime_hours="8"))
    assert response.status_code == 302
    with in_tenant(tenant_a):
        workspace = WorkspaceSettings.objects.get()
        assert workspace.require_2fa_admins
        assert not workspace.require_2fa_everyone
        assert workspace.session_lifetime_hours == 8
        entry = AuditEntry.objects.filter(action="settings.updated").latest("id")
        assert entry.changes["require_2fa_admins"] == [False, True]
        assert entry.changes["session_lifetime_hours"] == [None, 8]


@pytest.mark.parametrize("value", ["0", "-3", "100000", "soon"])
def test_a_bad_session_lifetime_is_a_form_error(value, tenant_a, tenant_client, in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.post(PAGE, _form(session_lifetime_hours=value))
    assert response.status_code == 400
    assert "session_lifetime_hours" in response.context["form"].errors
    with in_tenant(tenant_a):
        assert not WorkspaceSettings.objects.filter(session_lifetime_hours__isnull=False).exists()


def test_required_for_admins_sends_an_admin_without_a_device_to_enrol(tenant_a, tenant_client,
                                                                      in_tenant):
    _policy(tenant_a, in_tenant, require_2fa_admins=True)
    admin = tenant_a.users["admin"]
    client = tenant_client(tenant_a)
    assert client.post("/accounts/login/", {"username": "admin@alpha.test",
                                            "password": PASSWORD}).status_code == 302
    for path in ("/crm/", "/crm/settings/workspace/", "/cms/", "/admin/"):
        held = client.get(path)
        assert held.status_code == 302, path
        assert held["Location"].startswith(f"{SETUP}?next="), path
    api = client.get("/api/v1/accounts/")
    assert api.status_code == 403
    assert api.json()["code"] == "otp_enrollment_required"
    page = client.get(SETUP)
    assert page.status_code == 200
    assert "required" in page.content.decode()
    with in_tenant(tenant_a):
        device = TOTPDevice.objects.get(user=admin, confirmed=False)
        code = _code(device)
    assert client.post(SETUP, {"action": "confirm", "code": code}).status_code == 200
    assert client.get("/crm/").status_code == 200
    # Required: it cannot be turned off.
    refused = client.post(SETUP, {"action": "disable", "code": "123456"})
    assert refused.status_code == 400
    with in_tenant(tenant_a):
        assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()


def test_required_for_admins_leaves_other_roles_alone(tenant_a, tenant_client, in_tenant):
    _policy(tenant_a, in_tenant, require_2fa_admins=True)
    assert tenant_client(tenant_a, tenant_a.users["rep"]).get("/crm/").status_code == 200


def test_required_for_everyone_holds_back_a_rep(tenant_a, tenant_client, in_tenant):
    _policy(tenant_a, in_tenant, require_2fa_everyone=True)
    response = tenant_client(tenant_a, tenant_a.users["rep"]).get("/crm/")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_the_policy_of_one_tenant_does_not_apply_on_another(tenant_a, tenant_b,
                                                            tenant_client, in_tenant):
    _policy(tenant_a, in_tenant, require_2fa_everyone=True)
    assert tenant_client(tenant_b, tenant_b.users["admin"]).get("/crm/").status_code == 200


def test_the_session_lifetime_applies_to_sign_ins(tenant_a, tenant_client, in_tenant,
                                                  settings):
    _policy(tenant_a, in_tenant, session_lifetime_hours=8)
    client = tenant_client(tenant_a)
    response = client.post("/accounts/login/", {"username": "rep@alpha.test",
                                                "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 8 * 3600


def test_without_a_lifetime_the_platform_default_applies(tenant_a, tenant_client, settings):
    response = tenant_client(tenant_a).post("/accounts/login/", {"username": "rep@alpha.test",
                                                                 "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
