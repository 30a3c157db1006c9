"""Raising a service request in a real browser: the demo engineer opens one of their assets,
raises a request for it with a photo attached, lands on the request page and sees the file
in the status timeline (screenshots in var/screenshots/)."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from tests.e2e.test_portal_browser import SHOTS, _remove_demo_portal
from tests.portal.test_service_member import PNG

pytestmark = pytest.mark.browser


def _remove_request_files(tenant) -> None:
    from django.contrib.contenttypes.models import ContentType

    from crm.core.models import Attachment
    from crm.service.models import ServiceRequest
    from portal.demo import BRANCHES, HEAD_OFFICE

    with tenant_context(tenant):
        ids = ServiceRequest.objects.filter(
            account__name__in=[HEAD_OFFICE, *BRANCHES]).values_list("pk", flat=True)
        for attachment in Attachment.objects.filter(
                content_type=ContentType.objects.get_for_model(ServiceRequest),
                object_id__in=list(ids)):
            attachment.file.delete(save=False)
            attachment.delete()
    connection.set_schema_to_public()


def test_member_raises_a_request_with_a_photo_and_sees_it_in_the_timeline(
        page, live_app, committed_db, django_db_setup, tmp_path):
    from django.conf import settings

    from crm.core.models import Attachment
    from crm.service.models import ServiceRequest
    from portal.demo import seed_portal

    alpha = settings._TEST_TENANTS["a"]
    with tenant_context(alpha.tenant):
        seed_portal()
    connection.set_schema_to_public()
    SHOTS.mkdir(parents=True, exist_ok=True)
    photo = tmp_path / "gateway-fault.png"
    photo.write_bytes(PNG)
    try:
        page.set_viewport_size({"width": 1280, "height": 1000})
        page.goto(live_app.url(alpha.host, "/portal/login/"))
        page.fill("#id_username", "engineer@customer.test")
        page.fill("#id_password", "demo-pass-123")
        page.click("main button[type=submit]")
        page.wait_for_url(re.compile(r".*/portal/$"))
        page.click("nav a[href='/portal/assets/']")
        page.wait_for_url(re.compile(r".*/portal/assets/$"))
        page.click("tr:has-text('ACME-1002') a")
        page.wait_for_url(re.compile(r".*/portal/assets/\d+/$"))
        page.click("text=Raise a service request")
        page.wait_for_url(re.compile(r".*/portal/service-requests/new/\?asset=\d+$"))
        selected = page.locator("#id_asset option:checked").inner_text()
        assert "ACME-1002" in selected
        page.select_option("#id_severity", "high")
        page.fill("#id_subject", "Display flickers after the firmware update")
        page.fill("#id_description", "Since Monday the display flickers every few seconds.")
        page.set_input_files("#id_files", str(photo))
        page.screenshot(path=str(SHOTS / "portal_service_request_new.png"), full_page=True)
        page.click("form[data-form=service-request] button[type=submit]")
        page.wait_for_url(re.compile(r".*/portal/service-requests/\d+/$"))
        timeline = page.locator("[data-section=timeline]")
        assert timeline.locator("[data-kind=status]").count() >= 1
        file_entry = timeline.locator("[data-kind=file]")
        assert file_entry.count() == 1
        assert "gateway-fault.png" in file_entry.inner_text()
        assert page.locator("[data-due=first_response]").count() == 1
        page.screenshot(path=str(SHOTS / "portal_service_request_detail.png"), full_page=True)
        request_id = int(re.search(r"/service-requests/(\d+)/$", page.url).group(1))
        with tenant_context(alpha.tenant):
            created = ServiceRequest.objects.get(pk=request_id)
            assert created.subject == "Display flickers after the firmware update"
            assert created.asset.serial_number == "ACME-1002"
            assert Attachment.objects.filter(object_id=request_id,
                                             name="gateway-fault.png").exists()
        connection.set_schema_to_public()
        # The file downloads (as an attachment) for its member.
        with page.expect_download() as download_info:
            file_entry.locator("a").click()
        assert download_info.value.suggested_filename == "gateway-fault.png"
        assert Path(download_info.value.path()).read_bytes() == PNG
    finally:
        _remove_request_files(alpha.tenant)
        _remove_demo_portal(alpha.tenant)
