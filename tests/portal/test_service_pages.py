"""The member's asset and service-request pages: register an asset, raise a request (the
asset preselected from its page), the request page (SLA due times, timeline, public comments
only, files) and its reply / close / reopen / rate forms; CSRF on every form; 404 for what
is not the member's."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from crm.service.models import (
    Asset,
    AssetStatus,
    RequestStatus,
    ServiceComment,
    ServiceRequest,
    SlaPolicy,
)
from crm.service.services import service_comment_add, service_request_status_set
from tests.portal.test_service_member import ELF, PNG, TARGETS


@pytest.fixture
def eng_client(world, member_client):
    return member_client(world.members["eng"])


def _request_id(response) -> int:
    match = re.search(r"/portal/service-requests/(\d+)/$", response["Location"])
    assert match, response["Location"]
    return int(match.group(1))


def test_register_page_creates_a_pending_asset(world, tenant_a, in_tenant, eng_client):
    page = eng_client.get("/portal/assets/register/")
    assert page.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in page.content
    response = eng_client.post("/portal/assets/register/", {
        "serial_number": "PG-1", "make": "Siemens", "model": "S7", "product": "",
        "account": world.accounts["B1"].pk, "installed_on": "2026-02-01"})
    assert response.status_code == 302, response.content
    with in_tenant(tenant_a):
        asset = Asset.objects.get(serial_number="PG-1")
        assert asset.status == AssetStatus.PENDING
    assert response["Location"] == f"/portal/assets/{asset.pk}/"
    shown = eng_client.get(response["Location"])
    assert "Pending verification" in shown.content.decode()


def test_register_page_shows_a_duplicate_serial_on_the_field(world, eng_client):
    data = {"serial_number": "SN-B1", "make": "Acme", "model": "X1", "product": "",
            "account": world.accounts["B1"].pk}
    response = eng_client.post("/portal/assets/register/", data)
    assert response.status_code == 200
    assert "already registered" in response.content.decode()


def test_register_page_refuses_an_account_of_someone_else(world, eng_client):
    response = eng_client.post("/portal/assets/register/", {
        "serial_number": "PG-2", "model": "S7", "account": world.accounts["B2"].pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_new_request_from_the_asset_page_preselects_it_and_files_reach_the_timeline(
        world, tenant_a, in_tenant, eng_client):
    with in_tenant(tenant_a):
        SlaPolicy.objects.create(name="24x7", around_the_clock=True, is_default=True,
                                 targets=TARGETS)
    asset = world.assets["B1"]
    asset_page = eng_client.get(f"/portal/assets/{asset.pk}/").content.decode()
    assert f"/portal/service-requests/new/?asset={asset.pk}" in asset_page
    form = eng_client.get(f"/portal/service-requests/new/?asset={asset.pk}")
    assert form.status_code == 200
    assert re.search(rf'<option value="{asset.pk}" selected>', form.content.decode())
    assert b'enctype="multipart/form-data"' in form.content
    response = eng_client.post(f"/portal/service-requests/new/?asset={asset.pk}", {
        "asset": asset.pk, "category": "", "severity": "high", "subject": "Leaks oil",
        "description": "Since Monday", "files": [SimpleUploadedFile("leak.png", PNG,
                                                                    "image/png")]})
    assert response.status_code == 302, response.content.decode()[:2000]
    detail = eng_client.get(response["Location"])
    html = detail.content.decode()
    assert "Leaks oil" in html
    assert "leak.png" in html
    assert 'data-kind="file"' in html
    assert 'data-due="first_response"' in html
    with in_tenant(tenant_a):
        created = ServiceRequest.objects.get(pk=_request_id(response))
        assert created.first_response_due is not None
        assert created.asset_id == asset.pk


def test_new_request_for_a_sibling_branchs_asset_is_404(world, eng_client):
    assert eng_client.get(f"/portal/service-requests/new/?asset={world.assets['B2'].pk}"
                          ).status_code == 404
    assert eng_client.get("/portal/service-requests/new/?asset=junk").status_code == 404


def test_new_request_with_an_executable_is_refused_on_the_form(world, tenant_a, in_tenant,
                                                              eng_client):
    with in_tenant(tenant_a):
        before = ServiceRequest.objects.count()
    response = eng_client.post("/portal/service-requests/new/", {
        "asset": "", "category": "", "severity": "normal", "subject": "Bad file",
        "files": [SimpleUploadedFile("photo.png", ELF, "image/png")]})
    assert response.status_code == 200
    assert "not accepted" in response.content.decode()
    with in_tenant(tenant_a):
        assert ServiceRequest.objects.count() == before


def test_the_request_page_never_shows_internal_comments_or_staff_notes(world, tenant_a,
                                                                     in_tenant, eng_client):
    service_request = world.requests["B1_eng"]
    with in_tenant(tenant_a):
        agent = tenant_a.users["agent"]
        service_comment_add(request=service_request, actor=agent, body="Parts ordered",
                            public=True)
        service_comment_add(request=service_request, actor=agent, body="SECRET margin talk",
                            public=False)
        service_request_status_set(request=service_request, actor=agent,
                                   status=RequestStatus.IN_PROGRESS, note="SECRET status note")
    html = eng_client.get(f"/portal/service-requests/{service_request.pk}/").content.decode()
    assert "Parts ordered" in html
    assert "SECRET" not in html
    assert "In progress" in html


def test_reply_close_rate_and_reopen_through_the_forms(world, tenant_a, in_tenant,
                                                       eng_client):
    path = f"/portal/service-requests/{world.requests['B1_eng'].pk}"
    reply = eng_client.post(f"{path}/reply/", {
        "body": "Here is a photo", "files": [SimpleUploadedFile("p.png", PNG, "image/png")]})
    assert reply.status_code == 302
    empty = eng_client.post(f"{path}/reply/", {"body": ""})
    assert empty.status_code == 400
    assert eng_client.post(f"{path}/rate/", {"score": "5"}).status_code == 400  # open
    assert eng_client.post(f"{path}/close/", {"note": ""}).status_code == 302
    page = eng_client.get(path + "/").content.decode()
    assert 'id="rate"' in page
    assert 'id="reopen"' in page
    assert 'id="reply"' not in page
    assert eng_client.post(f"{path}/rate/", {"score": "4", "comment": "Good"}
                           ).status_code == 302
    page = eng_client.get(path + "/").content.decode()
    assert 'data-rating="4"' in page
    assert 'id="rate"' not in page
    assert eng_client.post(f"{path}/reopen/", {"reason": ""}).status_code == 400
    assert eng_client.post(f"{path}/reopen/", {"reason": "Leaking again"}).status_code == 302
    with in_tenant(tenant_a):
        service_request = ServiceRequest.objects.get(pk=world.requests["B1_eng"].pk)
        assert service_request.status == RequestStatus.NEW
        assert service_request.rating_score == 4
        assert ServiceComment.objects.filter(request=service_request).count() == 1
    assert "Leaking again" in eng_client.get(path + "/").content.decode()


@pytest.mark.parametrize("suffix", ["reply/", "close/", "reopen/", "rate/"])
def test_forms_need_a_csrf_token(world, tenant_a, suffix):
    client = Client(HTTP_HOST=tenant_a.host, enforce_csrf_checks=True)
    from django_tenants.utils import tenant_context

    with tenant_context(tenant_a.tenant):
        client.force_login(world.members["eng"])
    path = f"/portal/service-requests/{world.requests['B1_eng'].pk}/{suffix}"
    assert client.post(path, {"body": "x", "reason": "x", "score": "3"}).status_code == 403
    for page in ("/portal/service-requests/new/", "/portal/assets/register/"):
        assert client.post(page, {"subject": "x"}).status_code == 403


@pytest.mark.parametrize("suffix", ["", "reply/", "close/", "reopen/", "rate/"])
def test_another_members_request_pages_are_404(world, eng_client, suffix):
    for key in ("B2", "B1_peer"):
        path = f"/portal/service-requests/{world.requests[key].pk}/{suffix}"
        response = (eng_client.get(path) if not suffix
                    else eng_client.post(path, {"body": "x", "reason": "x", "score": "3"}))
        assert response.status_code == 404, (key, suffix)


def test_file_downloads_on_the_pages_follow_the_request(world, tenant_a, member_b, tenant_b,
                                                        eng_client, member_client):
    path = f"/portal/service-requests/{world.requests['B1_eng'].pk}"
    eng_client.post(f"{path}/reply/", {"body": "Photo", "files": [
        SimpleUploadedFile("fault.png", PNG, "image/png")]})
    html = eng_client.get(path + "/").content.decode()
    link = re.search(rf'href="({path}/files/\d+/)"', html).group(1)
    download = eng_client.get(link)
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="fault.png"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert member_client(world.members["sib"]).get(link).status_code == 404
    assert member_client(member_b, tenant_b).get(link).status_code == 404


def test_the_pages_render_in_the_members_chinese(world, tenant_a, in_tenant, eng_client):
    with in_tenant(tenant_a):
        type(world.members["eng"]).objects.filter(pk=world.members["eng"].pk).update(
            language="zh-hans")
    path = f"/portal/service-requests/{world.requests['B1_eng'].pk}/"
    try:
        for url in (path, "/portal/service-requests/new/", "/portal/assets/register/"):
            response = eng_client.get(url)
            assert response.status_code == 200
            html = response.content.decode()
            assert 'lang="zh-hans"' in html
            assert "服务请求" in html  # the navigation, already translated
    finally:
        translation.activate("en")


def test_the_request_page_keeps_a_query_budget(world, tenant_a, in_tenant, eng_client,
                                               django_assert_max_num_queries):
    service_request = world.requests["B1_eng"]
    with in_tenant(tenant_a):
        for index in range(20):
            service_comment_add(request=service_request, actor=tenant_a.users["agent"],
                                body=f"Step {index}", public=True)
            service_comment_add(request=service_request, actor=world.members["eng"],
                                body=f"Answer {index}",
                                uploads=[SimpleUploadedFile(f"p{index}.png", PNG,
                                                            "image/png")])
    with django_assert_max_num_queries(25):
        response = eng_client.get(f"/portal/service-requests/{service_request.pk}/")
    assert response.status_code == 200
    assert response.content.decode().count('data-kind="comment"') == 40
