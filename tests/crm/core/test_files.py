"""Protected files: served only through the permission-checking view, never by a path."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.core.files import attachment_add, file_url
from tests.crm.accounts.factories import make_account

CONTENT = b"%PDF-1.4 confidential offer for the rep's account"


@pytest.fixture
def protected_root(settings, tmp_path) -> Path:
    settings.PROTECTED_MEDIA_ROOT = str(tmp_path / "protected")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


@pytest.fixture
def attachment(tenant_a, in_tenant, protected_root):
    with in_tenant(tenant_a):
        account = make_account(owner=tenant_a.users["rep"], name="Attached Ltd")
        return attachment_add(record=account, actor=tenant_a.users["rep"],
                              upload=SimpleUploadedFile("offer.pdf", CONTENT))


def test_a_user_who_sees_the_record_downloads_its_file(tenant_a, tenant_client, attachment):
    response = tenant_client(tenant_a, tenant_a.users["rep"]).get(
        file_url(kind="attachment", object_id=attachment.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("role", ["rep2"])
def test_a_user_who_cannot_see_the_record_gets_404(tenant_a, tenant_client, attachment, role):
    response = tenant_client(tenant_a, tenant_a.users[role]).get(
        file_url(kind="attachment", object_id=attachment.pk))
    assert response.status_code == 404


def test_another_tenants_file_answers_404(tenant_a, tenant_b, tenant_client, in_tenant,
                                          attachment):
    from crm.core.models import Attachment

    with in_tenant(tenant_b):
        assert not Attachment.objects.filter(pk=attachment.pk).exists()
    response = tenant_client(tenant_b, tenant_b.users["admin"]).get(
        f"/files/attachment/{attachment.pk}/")
    assert response.status_code == 404


def test_anonymous_visitors_and_unknown_kinds_get_no_file(tenant_a, tenant_client,
                                                          attachment):
    anonymous = tenant_client(tenant_a).get(f"/files/attachment/{attachment.pk}/")
    assert anonymous.status_code == 302
    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    assert admin.get(f"/files/image/{attachment.pk}/").status_code == 404
    assert admin.get("/files/attachment/0/").status_code == 404


def test_files_live_outside_media_root_per_schema_and_have_no_public_path(
        tenant_a, tenant_client, in_tenant, attachment, protected_root):
    with in_tenant(tenant_a):
        stored = Path(attachment.file.path)
        with pytest.raises(ValueError, match="no URL"):
            attachment.file.url  # noqa: B018  (no URL by construction)
    assert stored.read_bytes() == CONTENT
    assert stored.is_relative_to(protected_root / "protected" / tenant_a.tenant.schema_name)
    assert not stored.is_relative_to(protected_root / "media")
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    for guess in (f"/media/{attachment.file.name}",
                  f"/media/{tenant_a.tenant.schema_name}/{attachment.file.name}",
                  f"/static/../protected/{tenant_a.tenant.schema_name}/{attachment.file.name}"):
        response = client.get(guess)
        assert response.status_code == 404, guess
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert CONTENT not in body


def test_wagtail_documents_are_served_by_the_checking_view(settings):
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"
