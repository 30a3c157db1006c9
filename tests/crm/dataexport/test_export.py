import io
import json
import os
import zipfile
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from config.schedules import BEAT_SCHEDULE
from crm.core.models import AuditEntry
from crm.dataexport import services
from crm.dataexport.models import ExportStatus, TenantExport
from crm.dataexport.storage import media_root_for
from crm.dataexport.tasks import purge_expired_exports_everywhere
from tests.crm.accounts.factories import make_account, make_contact


def _schema_tables(schema_name: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE'", [schema_name])
        return {row[0] for row in cursor.fetchall()}


def _put_media_file(schema_name: str, relative: str, content: bytes) -> None:
    path = os.path.join(media_root_for(schema_name), relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(content)


@pytest.fixture
def built_export(tenant_a, in_tenant, django_capture_on_commit_callbacks):
    """An export of tenant A requested by its admin, built by the (eager) task after commit."""
    def build():
        with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
            export = services.export_request(actor=tenant_a.users["admin"])
        with in_tenant(tenant_a):
            export.refresh_from_db()
        return export

    return build


def _archive_entries(export: TenantExport, tenant) -> dict[str, bytes]:
    from django_tenants.utils import tenant_context

    with tenant_context(tenant), export.file.open("rb") as handle, \
            zipfile.ZipFile(handle) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_export_holds_every_table_of_the_schema_and_tenant_a_rows_but_nothing_of_tenant_b(
    tenant_a, tenant_b, in_tenant, built_export, settings
):
    with in_tenant(tenant_b):
        account_b = make_account(name="Beta Secret Holdings")
        make_contact(account=account_b, last_name="Betasecretperson",
                     email="only-in-beta@beta-data.test")
    _put_media_file("t_beta", "documents/beta-secret.txt", b"beta file")
    with in_tenant(tenant_a):
        account_a = make_account(name="Alpha Unique Widgets")
        make_contact(account=account_a, last_name="Alphaperson",
                     email="only-in-alpha@alpha-data.test")
    _put_media_file("t_alpha", "documents/alpha-hello.txt", "héllo".encode())
    attachments = os.path.join(settings.PROTECTED_MEDIA_ROOT, "t_alpha", "attachments", "x1")
    os.makedirs(attachments)
    with open(os.path.join(attachments, "contract.pdf"), "wb") as fh:
        fh.write(b"%PDF alpha contract")

    export = built_export()

    assert export.status == ExportStatus.SUCCEEDED
    assert export.tables_done == export.tables_total > 20
    assert export.percent == 100
    entries = _archive_entries(export, tenant_a.tenant)
    csv_tables = {name[len("tables/"):-len(".csv")] for name in entries
                  if name.startswith("tables/")}
    assert csv_tables == _schema_tables("t_alpha")
    accounts_csv = entries["tables/crm_accounts_account.csv"].decode("utf-8")
    assert accounts_csv.splitlines()[0].startswith("id,name,")  # header row
    assert "Alpha Unique Widgets" in accounts_csv
    assert "only-in-alpha@alpha-data.test" in entries["tables/crm_accounts_contact.csv"].decode()
    assert entries["media/documents/alpha-hello.txt"] == "héllo".encode()
    assert entries["protected/attachments/x1/contract.pdf"] == b"%PDF alpha contract"
    manifest = json.loads(entries["manifest.json"])
    assert manifest["schema"] == "t_alpha"
    assert {t["table"] for t in manifest["tables"]} == csv_tables
    everything = b"\n".join(entries.values())
    for foreign in (b"Beta Secret Holdings", b"only-in-beta@beta-data.test", b"Betasecretperson",
                    b"admin@beta.test", b"extra2@beta.test", b"beta file", b"beta-secret"):
        assert foreign not in everything, foreign


def test_export_leaves_out_password_hashes_and_session_keys(tenant_a, in_tenant, built_export):
    with in_tenant(tenant_a):
        password_hash = type(tenant_a.users["admin"]).objects.get(
            pk=tenant_a.users["admin"].pk).password
    export = built_export()
    entries = _archive_entries(export, tenant_a.tenant)
    assert password_hash.encode() not in b"".join(entries.values())
    users_csv = entries["tables/users_user.csv"].decode()
    assert "admin@alpha.test" in users_csv


def test_building_twice_is_a_no_op_and_the_request_and_download_are_audited(
    tenant_a, in_tenant, built_export, tenant_client
):
    export = built_export()
    with in_tenant(tenant_a):
        again = services.export_build(export_id=export.pk)
        assert again.file.name == export.file.name
        assert again.status == ExportStatus.SUCCEEDED
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    status = client.get(f"/crm/settings/export/{export.pk}/status/").json()
    assert status["status"] == "succeeded"
    assert status["percent"] == 100
    assert status["tables_done"] == status["tables_total"]
    assert status["download_url"] == f"/crm/settings/export/{export.pk}/download/"
    response = client.get(status["download_url"])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="alpha-export-')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "tables/crm_accounts_account.csv" in archive.namelist()
    with in_tenant(tenant_a):
        actions = list(AuditEntry.objects.filter(object_id=export.pk,
                                                 action__startswith="export.")
                       .order_by("id").values_list("action", "actor_id"))
    admin_id = tenant_a.users["admin"].pk
    assert actions == [("export.requested", admin_id), ("export.downloaded", admin_id)]


def test_admin_starts_an_export_from_the_settings_page_and_sees_its_progress(
    tenant_a, tenant_client, django_capture_on_commit_callbacks
):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    assert "/crm/settings/export/" in client.get("/crm/settings/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/crm/settings/export/start/")
    assert response.status_code == 302
    page = client.get("/crm/settings/export/").content.decode()
    assert 'class="progress"' in page
    assert "js/export_progress.js" in page
    assert "/download/" in page


@pytest.mark.parametrize("role", ["manager", "rep", "agent", "readonly"])
def test_non_admins_are_refused_every_export_page(tenant_a, tenant_client, built_export, role):
    export = built_export()
    client = tenant_client(tenant_a, tenant_a.users[role])
    assert client.get("/crm/settings/export/").status_code == 403
    assert client.post("/crm/settings/export/start/").status_code == 403
    assert client.get(f"/crm/settings/export/{export.pk}/status/").status_code == 403
    assert client.get(f"/crm/settings/export/{export.pk}/download/").status_code == 403


def test_export_request_service_refuses_non_admins(tenant_a, in_tenant):
    from django.core.exceptions import PermissionDenied

    with in_tenant(tenant_a), pytest.raises(PermissionDenied):
        services.export_request(actor=tenant_a.users["manager"])


def test_another_tenants_export_id_is_404(tenant_a, tenant_b, in_tenant, tenant_client,
                                          django_capture_on_commit_callbacks):
    with in_tenant(tenant_b), django_capture_on_commit_callbacks(execute=True):
        theirs = services.export_request(actor=tenant_b.users["admin"])
    client = tenant_client(tenant_a, tenant_a.users["admin"])  # tenant A has no export at all
    assert client.get(f"/crm/settings/export/{theirs.pk}/status/").status_code == 404
    assert client.get(f"/crm/settings/export/{theirs.pk}/download/").status_code == 404
    assert client.get("/crm/settings/export/junk/status/").status_code == 404


def test_expired_export_is_refused_and_then_purged(tenant_a, in_tenant, tenant_client,
                                                  built_export):
    export = built_export()
    with in_tenant(tenant_a):
        path = export.file.path
        TenantExport.objects.filter(pk=export.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1))
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.get(f"/crm/settings/export/{export.pk}/download/")
    assert response.status_code == 410
    assert client.get(f"/crm/settings/export/{export.pk}/status/").json()["download_url"] == ""
    with in_tenant(tenant_a):
        assert not AuditEntry.objects.filter(action="export.downloaded").exists()
        assert services.exports_purge_expired() == 1
        export.refresh_from_db()
        assert export.status == ExportStatus.EXPIRED
        assert not export.file
        assert services.exports_purge_expired() == 0
    assert not os.path.exists(path)


def test_exports_are_kept_for_seven_days(tenant_a, in_tenant, built_export):
    export = built_export()
    assert export.expires_at - export.finished_at == timedelta(days=7)
    with in_tenant(tenant_a):
        assert services.exports_purge_expired(now=timezone.now() + timedelta(days=6)) == 0
        assert services.exports_purge_expired(now=timezone.now() + timedelta(days=7, minutes=1)
                                              ) == 1


def test_a_second_request_while_one_is_running_returns_the_running_export(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        first = services.export_request(actor=tenant_a.users["admin"])  # not built: no commit
        second = services.export_request(actor=tenant_a.users["admin"])
        assert second.pk == first.pk
        assert TenantExport.objects.count() == 1


def test_purge_is_scheduled_once_and_fans_out_to_customer_schemas(tenant_a, tenant_b):
    entry = BEAT_SCHEDULE["crm-dataexport-purge-expired"]
    assert entry["task"] == "crm.dataexport.tasks.purge_expired_exports_everywhere"
    assert entry["tenant_schemas"] == ["public"]
    assert purge_expired_exports_everywhere() >= 2


def test_export_page_lists_exports_in_a_fixed_number_of_queries(
    tenant_a, in_tenant, tenant_client, django_assert_max_num_queries
):
    with in_tenant(tenant_a):
        for _ in range(5):
            TenantExport.objects.create(requested_by=tenant_a.users["admin"],
                                        status=ExportStatus.FAILED)
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    with django_assert_max_num_queries(12):
        page = client.get("/crm/settings/export/")
    assert page.content.decode().count('class="export-row"') == 5
