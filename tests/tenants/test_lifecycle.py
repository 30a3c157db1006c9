"""Operator console: export, archive and delete a tenant (tests that delete a schema use a
tenant they provision themselves, never alpha or beta)."""

import io
import os
import zipfile

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from crm.core.models import AuditEntry
from tenants.models import Domain, OperatorAction, Tenant, TenantDeletion, TenantStatus
from tenants.provisioning.platform_setup import operator_ensure
from tenants.provisioning.services import tenant_discard, tenant_provision
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PROTECTED_MEDIA_ROOT = str(tmp_path / "protected")


@pytest.fixture
def operator_client(tenant_a, public_client):
    operator_ensure(email="ops@platform.test", password="Ops-password-123")
    response = public_client.post("/operator/login/", {"username": "ops@platform.test",
                                                       "password": "Ops-password-123"})
    assert response.status_code == 302
    return public_client


@pytest.fixture
def doomed(tenant_a):
    job = tenant_provision(name="Doomed Corp", slug="doomed-corp",
                           admin_email="owner@doomed.test", admin_password=PASSWORD,
                           run_inline=True)
    assert job.tenant is not None, job.error
    yield job.tenant
    connection.set_schema_to_public()
    leftover = Tenant.objects.filter(pk=job.tenant.pk).first()
    if leftover is not None:
        tenant_discard(tenant=leftover)


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s",
                       [name])
        return cursor.fetchone() is not None


def _export(operator_client, tenant, capture) -> int:
    with capture(execute=True):
        response = operator_client.post(f"/operator/tenants/{tenant.pk}/lifecycle/export/",
                                        {"reason": "Customer leaves; final export"})
    assert response.status_code == 302
    action = OperatorAction.objects.get(tenant=tenant, action="export")
    return action.after["export_id"]


def test_operator_exports_a_tenant_watches_progress_and_downloads_it(
    tenant_a, operator_client, django_capture_on_commit_callbacks
):
    tenant = tenant_a.tenant
    export_id = _export(operator_client, tenant, django_capture_on_commit_callbacks)
    base = f"/operator/tenants/{tenant.pk}/lifecycle"
    page = operator_client.get(f"{base}/").content.decode()
    assert f"{base}/exports/{export_id}/status/" in page
    status = operator_client.get(f"{base}/exports/{export_id}/status/").json()
    assert status["status"] == "succeeded"
    assert status["percent"] == 100
    assert status["download_url"] == f"{base}/exports/{export_id}/download/"
    response = operator_client.get(status["download_url"])
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "tables/users_user.csv" in archive.namelist()
    assert b"admin@alpha.test" in archive.read("tables/users_user.csv")
    assert list(OperatorAction.objects.filter(tenant=tenant).order_by("created_at")
                .values_list("action", flat=True)) == ["export", "export.download"]
    with tenant_context(tenant):
        entries = list(AuditEntry.objects.filter(object_id=export_id,
                                                 action__startswith="export.")
                       .order_by("id").values_list("action", "actor_id", "data"))
    assert entries[0][:2] == ("export.requested", None)
    assert entries[0][2]["operator"] == "ops@platform.test"
    assert entries[0][2]["reason"] == "Customer leaves; final export"
    assert entries[1][:2] == ("export.downloaded", None)


def test_lifecycle_pages_need_an_operator(tenant_a, public_client, tenant_client):
    base = f"/operator/tenants/{tenant_a.tenant.pk}/lifecycle"
    for url in (f"{base}/", f"{base}/delete/", f"{base}/exports/1/status/"):
        assert public_client.get(url).status_code == 302
    assert public_client.post(f"{base}/archive/", {"reason": "x"}).status_code == 302
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).status == TenantStatus.TRIAL
    # Not on tenant hosts at all.
    assert tenant_client(tenant_a, tenant_a.users["admin"]).get(f"{base}/").status_code == 404


def test_archive_keeps_the_schema_and_refuses_sign_in(tenant_a, operator_client,
                                                     tenant_client):
    tenant = tenant_a.tenant
    signed_in = tenant_client(tenant_a, tenant_a.users["admin"])
    response = operator_client.post(f"/operator/tenants/{tenant.pk}/lifecycle/archive/",
                                    {"reason": "Contract ended"})
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.status == TenantStatus.ARCHIVED
    assert _schema_exists(tenant.schema_name)
    action = OperatorAction.objects.get(tenant=tenant, action="archive")
    assert (action.reason, action.before, action.after) == (
        "Contract ended", {"status": "trial"}, {"status": "archived"})

    anonymous = tenant_client(tenant_a)
    login_page = anonymous.get("/accounts/login/")
    assert login_page.status_code == 403
    assert "archived" in login_page.content.decode()
    attempt = anonymous.post("/accounts/login/", {"username": "admin@alpha.test",
                                                  "password": PASSWORD})
    assert attempt.status_code == 403
    assert "_auth_user_id" not in anonymous.session
    assert signed_in.get("/crm/").status_code == 403
    assert signed_in.get("/api/v1/accounts/").status_code == 403


def test_archive_without_reason_changes_nothing(tenant_a, operator_client):
    operator_client.post(f"/operator/tenants/{tenant_a.tenant.pk}/lifecycle/archive/",
                         {"reason": ""})
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).status == TenantStatus.TRIAL
    assert not OperatorAction.objects.filter(tenant=tenant_a.tenant).exists()


def test_delete_is_refused_without_a_finished_export(doomed, operator_client):
    response = operator_client.post(f"/operator/tenants/{doomed.pk}/lifecycle/delete/",
                                    {"reason": "Closed account", "confirm_slug": doomed.slug})
    assert response.status_code == 400
    assert "Export the workspace" in response.content.decode()
    assert Tenant.objects.filter(pk=doomed.pk).exists()
    assert _schema_exists(doomed.schema_name)
    assert not TenantDeletion.objects.exists()


def test_delete_is_refused_without_the_typed_slug(doomed, operator_client,
                                                  django_capture_on_commit_callbacks):
    _export(operator_client, doomed, django_capture_on_commit_callbacks)
    url = f"/operator/tenants/{doomed.pk}/lifecycle/delete/"
    assert operator_client.get(url).status_code == 200  # step one: what will happen
    for typed in ("", "doomed", "DOOMED-CORP", "alpha"):
        response = operator_client.post(url, {"reason": "Closed account",
                                              "confirm_slug": typed})
        assert response.status_code == 400
    assert operator_client.post(url, {"reason": "", "confirm_slug": doomed.slug}
                                ).status_code == 400
    assert Tenant.objects.filter(pk=doomed.pk).exists()
    assert _schema_exists(doomed.schema_name)


def test_delete_after_export_and_confirmation_drops_the_schema_and_records_it(
    doomed, operator_client, django_capture_on_commit_callbacks, settings
):
    _export(operator_client, doomed, django_capture_on_commit_callbacks)
    schema = doomed.schema_name
    media_folder = os.path.join(settings.MEDIA_ROOT, schema)
    os.makedirs(media_folder)
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            f"/operator/tenants/{doomed.pk}/lifecycle/delete/",
            {"reason": "Customer asked to close", "confirm_slug": "doomed-corp"})
    assert response.status_code == 302
    assert not Tenant.objects.filter(pk=doomed.pk).exists()
    assert not Domain.objects.filter(domain="doomed-corp.localhost").exists()
    assert not _schema_exists(schema)
    assert not os.path.exists(media_folder)
    assert not os.path.exists(os.path.join(settings.PRIVATE_MEDIA_ROOT, schema))
    deletion = TenantDeletion.objects.get(slug="doomed-corp")
    assert (deletion.name, deletion.schema_name, deletion.reason, deletion.operator_email) == (
        "Doomed Corp", schema, "Customer asked to close", "ops@platform.test")
    assert deletion.operator.email == "ops@platform.test"
    assert [a["action"] for a in deletion.operator_actions] == ["export"]
    kept = os.path.join(settings.PRIVATE_MEDIA_ROOT, deletion.export_file)
    with zipfile.ZipFile(kept) as archive:
        assert b"owner@doomed.test" in archive.read("tables/users_user.csv")
