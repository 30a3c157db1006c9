"""Attachments on a request: the type is read from the content (not the name), the size is
limited, the file lives in the tenant's protected storage and is served only to people who
may see the request."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from crm.core.files import file_url
from crm.service.services import service_request_attachment_add
from tests.crm.service.service_factories import new_request

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
       b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120


def test_files_are_accepted_by_their_content_not_their_name(service_world):
    request = new_request(actor=service_world["admin"], account=service_world["mine"])
    agent = service_world["agent"]
    photo = service_request_attachment_add(
        request=request, actor=agent, upload=SimpleUploadedFile("fault.jpg", PNG, "image/jpeg"))
    assert photo.name == "fault.jpg"
    assert photo.file.name.startswith("t_alpha/") or "t_alpha" in photo.file.path
    log = service_request_attachment_add(
        request=request, actor=agent,
        upload=SimpleUploadedFile("controller.log", "错误 E42\n".encode(), "text/plain"))
    assert log.pk
    with pytest.raises(ValidationError) as error:
        service_request_attachment_add(
            request=request, actor=agent,
            upload=SimpleUploadedFile("photo.png", ELF, "image/png"))
    assert "file" in error.value.message_dict


@override_settings(SERVICE_ATTACHMENT_MAX_BYTES=1024)
def test_files_above_the_size_limit_are_refused(service_world):
    request = new_request(actor=service_world["admin"], account=service_world["mine"])
    with pytest.raises(ValidationError) as error:
        service_request_attachment_add(
            request=request, actor=service_world["agent"],
            upload=SimpleUploadedFile("big.txt", b"a" * 2048, "text/plain"))
    assert "file" in error.value.message_dict


def test_a_file_is_served_only_to_those_who_see_the_request(
        tenant_a, tenant_b, tenant_client, in_tenant, service_world):
    with in_tenant(tenant_a):
        request = new_request(actor=service_world["rep"], account=service_world["mine"])
        attachment = service_request_attachment_add(
            request=request, actor=service_world["rep"],
            upload=SimpleUploadedFile("fault.png", PNG, "image/png"))
        url = file_url(kind="attachment", object_id=attachment.pk)
    response = tenant_client(tenant_a, service_world["agent"]).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert tenant_client(tenant_a, service_world["rep2"]).get(url).status_code == 404
    assert tenant_client(tenant_b, tenant_b.users["admin"]).get(url).status_code == 404


def test_the_request_page_uploads_and_refuses_bad_files(tenant_a, tenant_client, in_tenant,
                                                         service_world):
    with in_tenant(tenant_a):
        request = new_request(actor=service_world["admin"], account=service_world["mine"])
    client = tenant_client(tenant_a, service_world["agent"])
    url = f"/crm/service/requests/{request.pk}/attachments/"
    bad = client.post(url, {"file": SimpleUploadedFile("x.pdf", ELF, "application/pdf")})
    assert bad.status_code == 400
    good = client.post(url, {"file": SimpleUploadedFile("x.png", PNG, "image/png")})
    assert good.status_code == 302
    page = client.get(f"/crm/service/requests/{request.pk}/")
    assert "x.png" in page.content.decode()
