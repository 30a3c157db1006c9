"""Import in a real browser: upload a GB18030 CSV with Chinese headers, map the column the
file names its own way, see the preview flag the bad row, run row by row and follow the
progress bar to the result, then export the accounts list. Screenshots go to
$SCREENSHOT_DIR when it is set."""

import os
import re
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

pytestmark = pytest.mark.browser

PASSWORD = "Correct-horse-battery-9"


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_upload_map_preview_import_and_export(page, live_app, committed_db, django_db_setup,
                                              tmp_path):
    from django.conf import settings

    from crm.accounts.models import Account
    from crm.imports.models import ImportJob

    alpha = settings._TEST_TENANTS["a"]
    tag = uuid.uuid4().hex[:6]
    upload = tmp_path / "客户.csv"
    upload.write_bytes(f"公司名称,城市\n浏览器导入{tag}有限公司,杭州\n,无名\n".encode("gb18030"))
    try:
        page.set_viewport_size({"width": 1360, "height": 900})
        page.goto(live_app.url(alpha.host, "/accounts/login/"))
        page.fill("#id_username", "admin@alpha.test")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/crm/$"))

        page.goto(live_app.url(alpha.host, "/crm/imports/"))
        page.select_option("#id_kind", "accounts")
        page.set_input_files("#id_file", str(upload))
        page.select_option("#id_mode", "per_row")
        _shot(page, "imports-upload")
        page.click("#import-upload button[type=submit]")
        page.wait_for_url(re.compile(r".*/crm/imports/mapping/$"))
        assert "gb18030" in page.content()
        page.select_option("select[name=map-0]", "name")
        page.click("button[name=preview]")
        rows = page.locator("#import-preview tbody tr")
        assert rows.count() == 2
        assert page.locator("#import-preview tr.row-error").count() == 1
        _shot(page, "imports-mapping")
        page.click("#import-start")
        page.wait_for_url(re.compile(r".*/crm/imports/\d+/$"))
        page.wait_for_selector("#import-progress:not([hx-trigger])")
        assert "2 of 2 rows" in page.inner_text("#import-progress")
        assert page.locator("#import-errors tbody tr").count() == 1
        _shot(page, "imports-done")

        page.goto(live_app.url(alpha.host, f"/crm/accounts/?q=浏览器导入{tag}"))
        assert f"浏览器导入{tag}有限公司" in page.content()
        with page.expect_download() as download:
            page.click("text=Export CSV")
        body = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert f"浏览器导入{tag}有限公司" in body
    finally:
        with tenant_context(alpha.tenant):
            ImportJob.objects.filter(original_name="客户.csv").delete()
            Account.objects.filter(name=f"浏览器导入{tag}有限公司").delete()
        connection.set_schema_to_public()
