"""/api/v1/imports/ (fixed names), the import pages (upload → mapping with preview → the
progress page), templates in English and Chinese, who sees which import, isolation and
the list's query budget."""

import io

import pytest
from openpyxl import load_workbook

from crm.accounts.models import Account
from crm.imports.models import ImportJob, ImportStatus
from tests.crm.imports.helpers import csv_upload

API = "/api/v1/imports/"
STATUS_FIELDS = {"status", "total_rows", "processed_rows", "created", "updated", "skipped",
                 "errors"}


def test_post_answers_201_with_id_and_status_then_the_status_has_the_fixed_fields(
        tenant_a, tenant_client, django_capture_on_commit_callbacks):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(API, {"kind": "accounts", "mode": "all_or_nothing",
                                     "dry_run": "false",
                                     "file": csv_upload([["Name"], ["API Import Ltd"]])})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "status"}
    assert body["status"] == "queued"
    status = client.get(f"{API}{body['id']}/").json()
    assert set(status) >= STATUS_FIELDS
    assert (status["status"], status["total_rows"], status["processed_rows"],
            status["created"], status["errors"]) == ("done", 1, 1, 1, [])


def test_errors_name_row_column_and_why(tenant_a, tenant_client,
                                        django_capture_on_commit_callbacks):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        job_id = client.post(API, {"kind": "products", "file": csv_upload(
            [["SKU", "Name", "List price", "Currency"], ["X-1", "Good", "10", "USD"],
             ["X-2", "Bad", "ten", "USD"]])}).json()["id"]
    status = client.get(f"{API}{job_id}/").json()
    assert status["status"] == "failed"
    assert status["errors"] == [{"row": 3, "column": "List price", "message": "Enter a number."}]


@pytest.mark.parametrize(("data", "field"), [
    ({"kind": "spaceships"}, "kind"),
    ({"kind": "accounts", "mode": "sometimes"}, "mode"),
    ({"kind": "accounts"}, "file"),
    ({"kind": "accounts", "mapping": "{not json"}, "mapping"),
])
def test_bad_requests_are_400_with_the_field_named(tenant_a, tenant_client, data, field):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    payload = dict(data)
    if field != "file":
        payload["file"] = csv_upload([["Name"], ["X"]])
    response = client.post(API, payload)
    assert response.status_code == 400
    assert field in response.json()


def test_an_unreadable_file_is_a_400_not_a_500(tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(API, {"kind": "accounts",
                                 "file": SimpleUploadedFile("x.xlsx", b"PK-not-really")})
    assert response.status_code == 400
    assert "file" in response.json()


def test_read_only_users_cannot_import_and_reps_see_only_their_own(
        tenant_a, tenant_client, in_tenant):
    readonly = tenant_client(tenant_a, tenant_a.users["readonly"])
    assert readonly.post(API, {"kind": "accounts",
                               "file": csv_upload([["Name"], ["X"]])}).status_code == 403
    with in_tenant(tenant_a):
        theirs = ImportJob.objects.create(kind="accounts", original_name="a.csv",
                                          file="imports/a.csv", file_format="csv",
                                          created_by=tenant_a.users["rep2"])
    rep = tenant_client(tenant_a, tenant_a.users["rep"])
    assert rep.get(f"{API}{theirs.pk}/").status_code == 404
    assert rep.get(f"/crm/imports/{theirs.pk}/").status_code == 404
    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    assert admin.get(f"{API}{theirs.pk}/").status_code == 200


def test_another_tenants_import_is_404(tenant_a, tenant_b, tenant_client, in_tenant):
    with in_tenant(tenant_a):
        job = ImportJob.objects.create(kind="accounts", original_name="a.csv",
                                       file="imports/a.csv", file_format="csv",
                                       created_by=tenant_a.users["admin"])
    client = tenant_client(tenant_b, tenant_b.users["admin"])
    assert client.get(f"{API}{job.pk}/").status_code == 404
    assert client.get(f"/crm/imports/{job.pk}/").status_code == 404
    assert client.get(f"/crm/imports/{job.pk}/errors/").status_code == 404


def test_templates_in_english_and_chinese(tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.get("/crm/imports/templates/accounts/?language=zh-hans&format=csv")
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").splitlines()[0].startswith("名称*,外部编号")
    workbook = load_workbook(io.BytesIO(client.get(
        f"{API}templates/products/?language=en&format=xlsx").content))
    header = [cell.value for cell in workbook.active[1]]
    assert header[:4] == ["SKU*", "Name*", "List price*", "Currency*"]
    assert client.get("/crm/imports/templates/nothing/").status_code == 404


def test_the_page_flow_upload_map_preview_start(tenant_a, tenant_client, in_tenant,
                                               django_capture_on_commit_callbacks):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    assert client.get("/crm/imports/").status_code == 200
    response = client.post("/crm/imports/upload/", {
        "kind": "accounts", "mode": "per_row", "duplicates": "skip",
        "file": csv_upload([["公司", "城市"], ["Page Flow Ltd", "杭州"], ["", "nowhere"]])})
    assert response.status_code == 302
    mapping = client.get("/crm/imports/mapping/")
    page = mapping.content.decode()
    assert "Page Flow Ltd" in page
    # "公司" is not a known header for accounts: the person maps it.
    assert mapping.context["mapping"] == {"公司": "", "城市": "city"}
    preview = client.post("/crm/imports/mapping/", {"map-0": "name", "map-1": "city",
                                                    "preview": "1"})
    rows = preview.context["preview"]
    assert [(row.row, bool(row.errors)) for row in rows] == [(2, False), (3, True)]
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/crm/imports/mapping/", {"map-0": "name", "map-1": "city",
                                                        "start": "1"})
    assert started.status_code == 302
    with in_tenant(tenant_a):
        job = ImportJob.objects.get()
        assert (job.status, job.created, job.failed_rows) == (ImportStatus.DONE, 1, 1)
        assert Account.objects.get(name="Page Flow Ltd").city == "杭州"
    detail = client.get(started["Location"])
    assert "2 of 2 rows" in detail.content.decode()
    progress = client.get(started["Location"], HTTP_HX_REQUEST="true")
    assert 'id="import-progress"' in progress.content.decode()
    assert "hx-trigger" not in progress.content.decode()  # finished: no more polling
    assert client.get(f"/crm/imports/{job.pk}/errors/").status_code == 200


def test_the_list_has_a_fixed_query_budget(tenant_a, tenant_client, in_tenant,
                                           django_assert_max_num_queries):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    with in_tenant(tenant_a):
        for n in range(12):
            ImportJob.objects.create(kind="accounts", original_name=f"{n}.csv",
                                     file=f"imports/{n}.csv", file_format="csv",
                                     created_by=tenant_a.users["rep"])
    with django_assert_max_num_queries(12):
        assert client.get("/crm/imports/").status_code == 200
    with django_assert_max_num_queries(8):
        assert len(client.get(API).json()["results"]) == 12
