"""/crm/settings/workspace/ and /api/v1/settings/: administrators change the workspace's
name, currency, language, time zone, fiscal year and formats through one service; bad values
are refused naming the field; other roles get 403; pages follow the new settings."""

import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from crm.core.models import AuditEntry
from crm.workspace.models import WorkspaceSettings
from tenants.models import Tenant

PAGE = "/crm/settings/workspace/"
API = "/api/v1/settings/"


def _form(**overrides):
    data = {"name": "Alpha Industries", "currency": "USD", "language": "en",
            "time_zone": "UTC", "fiscal_year_start_month": "1", "date_format": "iso",
            "number_format": "en-US"}
    data.update(overrides)
    return data


def _png(size=(20, 10)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 90, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def _patch(client, body):
    return client.patch(API, data=json.dumps(body), content_type="application/json")


# --- role matrix -----------------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [
    ("admin", 200), ("manager", 403), ("rep", 403), ("agent", 403), ("readonly", 403),
])
def test_settings_page_and_api_are_for_admins_only(role, status, tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users[role])
    assert client.get(PAGE).status_code == status
    assert client.get(API).status_code == status
    assert _patch(client, {"name": "Taken over"}).status_code == status
    assert client.post(PAGE, _form(name="Taken over")).status_code in (
        (302,) if status == 200 else (403,))


def test_anonymous_api_call_answers_401_and_page_redirects_to_login(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    assert client.get(API).status_code == 401
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- the form --------------------------------------------------------------------------

def test_form_saves_public_tenant_fields_and_workspace_extras(tenant_a, tenant_client,
                                                              in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.post(PAGE, _form(
        name="Alpha Group", currency="CNY", language="zh-hans", time_zone="Asia/Shanghai",
        fiscal_year_start_month="4", date_format="zh-CN", number_format="zh-CN"))
    assert response.status_code == 302
    tenant = Tenant.objects.get(pk=tenant_a.tenant.pk)
    assert (tenant.name, tenant.currency, tenant.language, tenant.time_zone) == (
        "Alpha Group", "CNY", "zh-hans", "Asia/Shanghai")
    with in_tenant(tenant_a):
        workspace = WorkspaceSettings.objects.get()
        assert (workspace.fiscal_year_start_month, workspace.date_format,
                workspace.number_format) == (4, "zh-CN", "zh-CN")


@pytest.mark.parametrize(("field", "value"), [
    ("currency", "XYZ"), ("currency", "usdollar"), ("time_zone", "Mars/Olympus"),
    ("language", "fr"), ("fiscal_year_start_month", "13"), ("date_format", "%Y"),
    ("number_format", "xx-XX"), ("name", "   "),
])
def test_form_refuses_bad_values_on_the_field(field, value, tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.post(PAGE, _form(**{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).name == "Alpha Industries"


def test_logo_upload_accepts_an_image_and_serves_it_to_staff(tenant_a, tenant_client,
                                                             in_tenant, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.post(PAGE, {**_form(), "logo": _png()})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        logo = WorkspaceSettings.objects.get().logo
        logo_name = logo.name
        # Stored under the tenant's own media folder (the storage may have been built before
        # this test moved MEDIA_ROOT, so ask the storage where it put the file).
        assert logo.storage.exists(logo_name)
        assert f"/{tenant_a.tenant.schema_name}/" in logo.path
    assert logo_name.startswith("workspace/logo-")
    assert logo_name.endswith(".png")
    rep = tenant_client(tenant_a, tenant_a.users["rep"])
    served = rep.get("/crm/settings/workspace/logo/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"/crm/settings/workspace/logo/?v=" in rep.get("/crm/").content


@pytest.mark.parametrize(("filename", "content"), [
    ("logo.png", b"this is not an image at all"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("logo.png", b"%PDF-1.4\n1 0 obj<<>>endobj"),
])
def test_logo_upload_refuses_what_is_not_a_raster_image(filename, content, tenant_a,
                                                        tenant_client, in_tenant, settings,
                                                        tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    upload = SimpleUploadedFile(filename, content, content_type="image/png")
    response = client.post(PAGE, {**_form(), "logo": upload})
    assert response.status_code == 400
    assert "logo" in response.context["form"].errors
    with in_tenant(tenant_a):
        assert not WorkspaceSettings.objects.filter(logo__gt="").exists()


def test_logo_upload_refuses_a_file_over_the_size_limit(tenant_a, tenant_client, settings,
                                                        tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (1200, 1200), bytes(range(256)) * (1200 * 1200 * 3 // 256)).save(
        buffer, format="BMP")
    big = SimpleUploadedFile("big.bmp", buffer.getvalue(), content_type="image/bmp")
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.post(PAGE, {**_form(), "logo": big})
    assert response.status_code == 400
    assert "1 MB" in str(response.context["form"].errors["logo"])


def test_no_logo_means_no_logo_route(tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    assert client.get("/crm/settings/workspace/logo/").status_code == 404


# --- the API ---------------------------------------------------------------------------

def test_api_get_answers_the_fixed_names(tenant_a, tenant_client):
    body = tenant_client(tenant_a, tenant_a.users["admin"]).get(API).json()
    assert {"name", "currency", "language", "time_zone", "fiscal_year_start_month"} <= set(body)
    assert body["name"] == "Alpha Industries"
    assert body["fiscal_year_start_month"] == 1


def test_api_patch_changes_only_what_is_sent(tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = _patch(client, {"currency": "jpy", "fiscal_year_start_month": 7})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["currency"] == "JPY"
    assert body["fiscal_year_start_month"] == 7
    assert body["name"] == "Alpha Industries"
    assert client.get(API).json()["currency"] == "JPY"


@pytest.mark.parametrize(("field", "value"), [
    ("currency", "ABC"), ("time_zone", "Europe/Nowhere"), ("language", "de"),
    ("fiscal_year_start_month", 0), ("fiscal_year_start_month", "May"),
    ("date_format", "yyyy"), ("number_format", "en"), ("name", ""), ("seats_used", 999),
])
def test_api_patch_refuses_bad_values_naming_the_field(field, value, tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = _patch(client, {field: value})
    assert response.status_code == 400
    assert field in response.json()
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).seats_used != 999


def test_settings_change_on_one_tenant_leaves_the_other_alone(tenant_a, tenant_b,
                                                              tenant_client):
    _patch(tenant_client(tenant_a, tenant_a.users["admin"]), {"currency": "EUR"})
    body = tenant_client(tenant_b, tenant_b.users["admin"]).get(API).json()
    assert body["name"] == "Beta Trading"
    assert body["currency"] == "USD"


# --- pages honour the settings -----------------------------------------------------------

def test_opportunity_pages_show_amounts_the_way_the_workspace_writes_money(
        tenant_a, tenant_client, in_tenant, make_opportunity):
    with in_tenant(tenant_a):
        deal = make_opportunity(owner=tenant_a.users["rep"], amount="276000", currency="USD")
    rep = tenant_client(tenant_a, tenant_a.users["rep"])
    listing = rep.get("/crm/opportunities/").content.decode()
    assert "$276,000.00" in listing
    assert "276000 USD" not in listing

    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    assert _patch(admin, {"currency": "CNY", "number_format": "zh-CN"}).status_code == 200
    with in_tenant(Tenant.objects.get(pk=tenant_a.tenant.pk)):
        cny_deal = make_opportunity(owner=tenant_a.users["rep"], amount="276000")
    assert cny_deal.currency == "CNY"
    detail = rep.get(f"/crm/opportunities/{cny_deal.pk}/").content.decode()
    assert "¥276,000.00" in detail
    # The USD deal keeps its own currency, written the zh-CN way.
    assert "US$276,000.00" in rep.get(f"/crm/opportunities/{deal.pk}/").content.decode()

    assert _patch(admin, {"number_format": "de-DE"}).status_code == 200
    board = rep.get("/crm/pipelines/board/", follow=True).content.decode()
    assert "276.000,00\xa0$" in board or "276.000,00 $" in board


def test_jpy_amounts_show_without_decimals_on_pages(tenant_a, tenant_client, in_tenant,
                                                    make_opportunity):
    with in_tenant(tenant_a):
        deal = make_opportunity(owner=tenant_a.users["rep"], amount="1500000", currency="JPY")
    page = tenant_client(tenant_a, tenant_a.users["rep"]).get(
        f"/crm/opportunities/{deal.pk}/").content.decode()
    assert "¥1,500,000" in page
    assert "¥1,500,000.00" not in page


def test_pages_show_times_in_the_workspace_time_zone(tenant_a, tenant_client, in_tenant):
    from crm.activities.models import Activity

    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        activity = Activity.objects.create(
            kind="call", subject="Late call", owner=rep,
            occurred_at=datetime(2026, 3, 31, 20, 30, tzinfo=UTC))
    client = tenant_client(tenant_a, rep)
    url = f"/crm/activities/{activity.pk}/"
    assert "2026-03-31 20:30" in client.get(url).content.decode()
    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    assert _patch(admin, {"time_zone": "Asia/Shanghai"}).status_code == 200
    page = client.get(url).content.decode()
    assert "2026-04-01 04:30" in page
    assert "2026-03-31 20:30" not in page


def test_workspace_language_is_the_default_for_users_without_their_own(tenant_a,
                                                                       tenant_client):
    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    assert _patch(admin, {"language": "zh-hans"}).status_code == 200
    response = tenant_client(tenant_a, tenant_a.users["rep"]).get("/crm/")
    assert response.headers["Content-Language"] == "zh-hans"


def test_settings_change_is_audited_with_old_and_new(tenant_a, tenant_client, in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["admin"], REMOTE_ADDR="198.51.100.23")
    response = client.patch(API, data=json.dumps({"currency": "EUR", "time_zone": "Europe/Berlin"}),
                            content_type="application/json", REMOTE_ADDR="198.51.100.23")
    assert response.status_code == 200
    with in_tenant(tenant_a):
        entry = AuditEntry.objects.get(action="settings.updated")
        assert entry.changes == {"currency": ["USD", "EUR"],
                                 "time_zone": ["UTC", "Europe/Berlin"]}
        assert entry.actor_id == tenant_a.users["admin"].pk
        assert entry.ip_address == "198.51.100.23"


def test_service_refuses_non_admins(tenant_a, in_tenant):
    from django.core.exceptions import PermissionDenied

    from crm.workspace.services import workspace_update

    with in_tenant(tenant_a):
        tenant = Tenant.objects.get(pk=tenant_a.tenant.pk)
        with pytest.raises(PermissionDenied):
            workspace_update(actor=tenant_a.users["manager"], tenant=tenant, currency="EUR")
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).currency == "USD"


def test_money_filter_in_plain_python_matches_the_template(tenant_a, in_tenant):
    from django.template import engines

    from crm.workspace.formats import money_format

    with in_tenant(tenant_a):
        rendered = engines["django"].from_string(
            "{% load money %}{{ amount|money:'EUR' }}").render({"amount": Decimal("276000")})
    assert rendered == money_format(Decimal("276000"), "EUR", locale="en-US") == "€276,000.00"
