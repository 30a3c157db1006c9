"""``?format=csv`` / ``?format=xlsx`` on list endpoints: what the list shows (visibility and
filters applied), every row rather than one page, Chinese intact, and a round trip: an
exported account file imports back into another tenant as the same data."""

import csv
import io

from openpyxl import load_workbook

from crm.accounts.models import Account
from crm.imports import services
from crm.imports.models import ImportStatus
from tests.crm.accounts.factories import make_account


def _csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def test_csv_export_has_every_visible_row_with_filters_applied(tenant_a, tenant_client,
                                                              in_tenant):
    with in_tenant(tenant_a):
        for n in range(60):
            make_account(name=f"导出测试 {n:02d} 有限公司", owner=tenant_a.users["rep"],
                         city="上海" if n % 2 else "北京")
        make_account(name="Someone Else's Ltd", owner=tenant_a.users["rep2"], city="上海")
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    response = client.get("/api/v1/accounts/?format=csv&page_size=10")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    names = {row["name"] for row in rows}
    assert {f"导出测试 {n:02d} 有限公司" for n in range(60)} <= names  # all pages, not 10
    assert "Someone Else's Ltd" not in names  # rep2's account: not visible to rep
    filtered = _csv(client.get("/api/v1/accounts/?format=csv&search=导出测试 0"))
    # DRF's search: every word must match ("导出测试" and "0").
    assert {row["name"] for row in filtered} == {
        f"导出测试 {n:02d} 有限公司" for n in range(60) if "0" in f"{n:02d}"}


def test_xlsx_export_and_query_count_independent_of_rows(tenant_a, tenant_client, in_tenant,
                                                         django_assert_max_num_queries):
    with in_tenant(tenant_a):
        for n in range(30):
            make_account(name=f"Workbook Row {n:02d}", owner=tenant_a.users["admin"])
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    with django_assert_max_num_queries(15):
        response = client.get("/api/v1/accounts/?format=xlsx&search=Workbook Row")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    assert "name" in header
    assert sheet.max_row == 31


def test_an_unknown_format_is_a_404_json_and_another_tenant_exports_nothing_of_ours(
        tenant_a, tenant_b, tenant_client, in_tenant):
    with in_tenant(tenant_a):
        make_account(name="Alpha Only Export Ltd", owner=tenant_a.users["admin"])
    beta = tenant_client(tenant_b, tenant_b.users["admin"])
    names = {row["name"] for row in _csv(beta.get("/api/v1/accounts/?format=csv"))}
    assert "Alpha Only Export Ltd" not in names
    assert beta.get("/api/v1/accounts/?format=pdf").status_code == 404


def test_export_then_import_round_trip(tenant_a, tenant_b, tenant_client, in_tenant,
                                       django_capture_on_commit_callbacks):
    with in_tenant(tenant_a):
        make_account(name="Round Trip 往返 Ltd", owner=tenant_a.users["admin"], city="苏州",
                     industry="Textiles", tier="b", tags=["vip", "east"])
    exported = tenant_client(tenant_a, tenant_a.users["admin"]).get(
        "/api/v1/accounts/?format=csv&search=Round Trip")
    body = b"".join(exported.streaming_content)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with in_tenant(tenant_b), django_capture_on_commit_callbacks(execute=True):
        job = services.import_request(
            actor=tenant_b.users["admin"], kind="accounts",
            upload=SimpleUploadedFile("accounts.csv", body, "text/csv"),
            mapping={"name": "name", "city": "city", "industry": "industry", "tier": "tier",
                     "tags": "tags"})
    with in_tenant(tenant_b):
        job.refresh_from_db()
        assert job.status == ImportStatus.DONE, job.errors
        copy = Account.objects.get(name="Round Trip 往返 Ltd")
        assert (copy.city, copy.industry, copy.tier, sorted(copy.tags)) == (
            "苏州", "Textiles", "b", ["east", "vip"])


def test_list_pages_export_what_they_show(tenant_a, tenant_client, in_tenant):
    with in_tenant(tenant_a):
        make_account(name="Page Export Key Ltd", owner=tenant_a.users["rep"], tier="key")
        make_account(name="Page Export Other Ltd", owner=tenant_a.users["rep"], tier="c")
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    page = client.get("/crm/accounts/?tier=key").content.decode()
    assert "format=csv" in page
    rows = _csv(client.get("/crm/accounts/?tier=key&format=csv"))
    names = {row["name"] for row in rows}
    assert "Page Export Key Ltd" in names
    assert "Page Export Other Ltd" not in names
    api_rows = _csv(client.get("/api/v1/accounts/?tier=key&format=csv"))
    assert list(rows[0]) == list(api_rows[0])  # one column definition per record type
    for path in ("/crm/contacts/", "/crm/leads/", "/crm/opportunities/", "/crm/catalog/"):
        response = client.get(f"{path}?format=xlsx")
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), path


def test_exports_never_hand_a_spreadsheet_a_formula_and_reimport_unchanged(
        tenant_a, tenant_client, in_tenant, django_capture_on_commit_callbacks):
    with in_tenant(tenant_a):
        make_account(name='=HYPERLINK("http://evil.example","x")', owner=tenant_a.users["admin"],
                     phone="+86 21 5555 1234")
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    rows = _csv(client.get("/api/v1/accounts/?format=csv&search=HYPERLINK"))
    assert rows[0]["name"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    sheet = load_workbook(io.BytesIO(b"".join(client.get(
        "/api/v1/accounts/?format=xlsx&search=HYPERLINK").streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("name") + 1)
    assert (cell.data_type, cell.value) == ("s", '=HYPERLINK("http://evil.example","x")')
    from crm.imports.engine import unquote_cell

    assert unquote_cell(rows[0]["name"]) == '=HYPERLINK("http://evil.example","x")'


def test_the_assets_list_exports_too(tenant_a, tenant_client, in_tenant):
    from crm.service.models import Asset
    from tests.crm.catalog.factories import make_product

    with in_tenant(tenant_a):
        product = make_product(actor=tenant_a.users["admin"], name="Export Pump")
        Asset.objects.create(account=make_account(name="Asset Export Ltd"), product=product,
                             serial_number="EXP-0001")
    response = tenant_client(tenant_a, tenant_a.users["admin"]).get(
        "/api/v1/assets/?format=csv&search=EXP-0001")
    assert response.status_code == 200
    rows = _csv(response)
    assert [row["serial_number"] for row in rows] == ["EXP-0001"]
    assert "coverage" in rows[0]
