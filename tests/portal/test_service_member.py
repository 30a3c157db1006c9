"""The member side of assets and service requests through the member API: register an
asset, raise a request (with files), read it (public comments only), reply, close, reopen,
rate, download files; another tenant's, a sibling branch's and a colleague's records are
404; bad input is a 400 with the field at fault."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from crm.catalog.models import Product
from crm.core.models import Attachment
from crm.service.models import (
    Asset,
    AssetStatus,
    RequestStatus,
    ServiceComment,
    ServiceRequest,
    SlaPolicy,
)
from crm.service.services import service_comment_add, service_request_status_set
from tests.conftest import PASSWORD
from tests.portal.conftest import set_branches

API = "/portal/api/v1"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
       b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
TARGETS = [{"severity": severity, "first_response_minutes": 60, "resolution_minutes": 480}
           for severity in ("critical", "high", "normal", "low")]


def token_for(tenant, email: str) -> str:
    response = Client(HTTP_HOST=tenant.host).post(
        f"{API}/auth/token/", {"email": email, "password": PASSWORD},
        content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def api(tenant, email: str) -> Client:
    return Client(HTTP_HOST=tenant.host,
                  HTTP_AUTHORIZATION=f"Token {token_for(tenant, email)}")


def post_json(client: Client, path: str, body: dict):
    return client.post(path, body, content_type="application/json")


@pytest.fixture
def sla(world, tenant_a, in_tenant):
    """A 24x7 default policy, so every request gets due times."""
    with in_tenant(tenant_a):
        SlaPolicy.objects.create(name="Default 24x7", around_the_clock=True, is_default=True,
                                 targets=TARGETS)


@pytest.fixture
def eng(world, tenant_a):
    return api(tenant_a, "eng@hoth.test")


# --- registering assets ------------------------------------------------------------------

def test_member_registers_an_asset_by_make_and_model_pending_verification(world, tenant_a,
                                                                          in_tenant, eng):
    response = post_json(eng, f"{API}/assets/", {
        "serial_number": " ACS-9001 ", "make": "ABB", "model": "ACS580",
        "installed_on": "2026-03-01", "location": "Pump house"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["serial_number"] == "ACS-9001"
    assert body["account"] == {"id": world.accounts["B1"].pk, "name": "Hoth Branch One"}
    assert body["installed_on"] == "2026-03-01"
    with in_tenant(tenant_a):
        asset = Asset.objects.get(pk=body["id"])
        assert asset.registered_by_id == world.members["eng"].pk
        assert asset.status == AssetStatus.PENDING
    listed = {row["id"] for row in eng.get(f"{API}/assets/").json()["results"]}
    assert body["id"] in listed


def test_member_registers_a_catalog_product_and_a_serial_twice_is_a_clear_400(
        world, tenant_a, in_tenant, eng):
    with in_tenant(tenant_a):
        product = Product.objects.create(sku="DRV-1", name="Drive", currency="USD",
                                         list_price=100)
        retired = Product.objects.create(sku="OLD-1", name="Old", currency="USD",
                                         list_price=100, active=False)
    first = post_json(eng, f"{API}/assets/", {"serial_number": "D-1", "product": product.pk})
    assert first.status_code == 201, first.content
    assert first.json()["product"]["sku"] == "DRV-1"
    again = post_json(eng, f"{API}/assets/", {"serial_number": "D-1", "product": product.pk})
    assert again.status_code == 400
    assert "already registered" in again.json()["serial_number"][0]
    # The sibling branch registering the same unit is refused the same way.
    sibling = api(tenant_a, "sib@hoth.test")
    assert post_json(sibling, f"{API}/assets/", {"serial_number": "D-1",
                                                 "product": product.pk}).status_code == 400
    inactive = post_json(eng, f"{API}/assets/", {"serial_number": "O-1",
                                                 "product": retired.pk})
    assert inactive.status_code == 400
    assert inactive.json()["product"] == ["Unknown product."]


@pytest.mark.parametrize(("body", "field"), [
    ({"make": "ABB", "model": "X"}, "serial_number"),
    ({"serial_number": "S-1"}, "model"),
    ({"serial_number": "S-1", "model": "X", "installed_on": "not-a-date"}, "installed_on"),
    ({"serial_number": "S-1", "model": "X", "product": "abc"}, "product"),
    ({"serial_number": "S-1", "model": "X", "product": 10**30}, "product"),
    ({"serial_number": "x" * 101, "model": "X"}, "serial_number"),
])
def test_bad_asset_registrations_are_400_with_the_field(world, eng, body, field):
    response = post_json(eng, f"{API}/assets/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_registering_for_an_account_that_is_not_the_members_is_refused(world, eng):
    response = post_json(eng, f"{API}/assets/", {"serial_number": "S-2", "model": "X",
                                                 "account": world.accounts["B2"].pk})
    assert response.status_code == 400
    assert response.json()["account"] == ["You have no such account."]


# --- raising requests --------------------------------------------------------------------

def test_member_raises_a_request_against_their_asset_and_sees_the_sla_due_times(
        world, sla, tenant_a, in_tenant, eng):
    response = post_json(eng, f"{API}/service-requests/", {
        "asset": world.assets["B1"].pk, "subject": "Pump stops", "severity": "high",
        "category": "hardware", "description": "It stops after 5 minutes."})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "new"
    assert body["channel"] == "portal"
    assert body["asset"] == world.assets["B1"].pk
    assert body["first_response_due"]
    assert body["resolution_due"]
    assert [entry["to_status"] for entry in body["timeline"] if entry["kind"] == "status"] \
        == ["new"]
    assert body["actions"] == {"close": True, "reopen": False, "rate": False}
    with in_tenant(tenant_a):
        created = ServiceRequest.objects.get(pk=body["id"])
        assert created.created_by_id == world.members["eng"].pk
        assert created.contact_id == world.contacts["eng"].pk
        assert created.account_id == world.accounts["B1"].pk
    assert eng.get(f"{API}/service-requests/{body['id']}/").status_code == 200


def test_a_request_for_no_asset_is_other(world, sla, eng):
    response = post_json(eng, f"{API}/service-requests/", {"subject": "Question on invoice"})
    assert response.status_code == 201, response.content
    assert response.json()["asset"] is None
    assert response.json()["severity"] == "normal"


@pytest.mark.parametrize(("body", "field"), [
    ({"severity": "normal"}, "subject"),
    ({"subject": "x", "severity": "apocalyptic"}, "severity"),
    ({"subject": "x", "asset": "nope"}, "asset"),
    ({"subject": "x", "asset": 2**70}, "asset"),
    ({"subject": "  "}, "subject"),
    ({"subject": "x" * 201}, "subject"),
])
def test_bad_requests_are_400_with_the_field(world, eng, body, field):
    response = post_json(eng, f"{API}/service-requests/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_a_request_against_a_sibling_branchs_asset_is_refused(world, tenant_a, in_tenant, eng):
    before = _count(tenant_a, in_tenant)
    response = post_json(eng, f"{API}/service-requests/", {
        "asset": world.assets["B2"].pk, "subject": "Not mine"})
    assert response.status_code == 400
    assert response.json()["asset"] == ["Unknown asset."]
    assert _count(tenant_a, in_tenant) == before


def _count(tenant, in_tenant) -> int:
    with in_tenant(tenant):
        return ServiceRequest.objects.count()


def test_a_request_with_files_stores_them_in_the_tenants_folder(world, sla, tenant_a,
                                                              in_tenant, eng):
    photo = SimpleUploadedFile("fault.png", PNG, content_type="image/png")
    log = SimpleUploadedFile("controller.log", "错误 E42\n".encode(), "text/plain")
    response = eng.post(f"{API}/service-requests/", {
        "subject": "Display broken", "asset": world.assets["B1"].pk, "files": [photo, log]})
    assert response.status_code == 201, response.content
    files = response.json()["attachments"]
    assert [f["name"] for f in files] == ["fault.png", "controller.log"]
    assert files[0]["size"] == len(PNG)
    with in_tenant(tenant_a):
        stored = Attachment.objects.get(pk=files[0]["id"])
        assert stored.file.name.startswith("attachments/")
        assert f"/{tenant_a.tenant.schema_name}/attachments/" in stored.file.path
    download = eng.get(files[0]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="fault.png"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("name", "content"), [
    ("photo.png", ELF),  # an executable named like a picture
    ("photo.png", HTML),  # a web page named like a picture
    ("page.txt", b"\n  <html><body onload=alert(1)>"),
    ("drawing.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
    ("empty.png", b""),
])
def test_uploads_are_checked_by_content_and_refused_whole(world, tenant_a, in_tenant, eng,
                                                         name, content):
    before = _count(tenant_a, in_tenant)
    response = eng.post(f"{API}/service-requests/", {
        "subject": "With a bad file",
        "files": [SimpleUploadedFile("ok.png", PNG, "image/png"),
                  SimpleUploadedFile(name, content, content_type="image/png")]})
    assert response.status_code == 400, response.content
    assert name in response.json()["files"][0]
    assert _count(tenant_a, in_tenant) == before
    with in_tenant(tenant_a):
        assert not Attachment.objects.filter(name="ok.png").exists()


@override_settings(SERVICE_ATTACHMENT_MAX_BYTES=1024)
def test_an_oversize_upload_is_refused(world, tenant_a, in_tenant, eng):
    with in_tenant(tenant_a):
        request_id = world.requests["B1_eng"].pk
    response = eng.post(f"{API}/service-requests/{request_id}/comments/", {
        "body": "The log", "files": [SimpleUploadedFile("big.txt", b"a" * 2048, "text/plain")]})
    assert response.status_code == 400
    assert "larger than" in response.json()["files"][0]
    with in_tenant(tenant_a):
        assert not ServiceComment.objects.filter(request_id=request_id).exists()


def test_too_many_files_at_once_are_refused(world, eng):
    files = [SimpleUploadedFile(f"p{index}.png", PNG, "image/png") for index in range(11)]
    response = eng.post(f"{API}/service-requests/", {"subject": "Many", "files": files})
    assert response.status_code == 400
    assert "at most 10" in response.json()["files"][0]


# --- reading: public comments only -------------------------------------------------------

def test_the_detail_has_public_comments_and_never_internal_ones(world, tenant_a, in_tenant,
                                                              eng):
    service_request = world.requests["B1_eng"]
    with in_tenant(tenant_a):
        agent = tenant_a.users["agent"]
        service_comment_add(request=service_request, actor=agent, body="We look into it",
                            public=True)
        service_comment_add(request=service_request, actor=agent,
                            body="INTERNAL: customer broke it themselves", public=False)
        service_request_status_set(request=service_request, actor=agent,
                                   status=RequestStatus.WAITING_ON_CUSTOMER,
                                   note="INTERNAL NOTE on the status")
    response = eng.get(f"{API}/service-requests/{service_request.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert [c["body"] for c in body["comments"]] == ["We look into it"]
    assert body["comments"][0]["by_customer"] is False
    assert b"INTERNAL" not in response.content
    assert [e["kind"] for e in body["timeline"]] == ["comment", "status"]
    assert body["timeline"][1]["to_status"] == "waiting_on_customer"
    assert body["timeline"][1]["note"] is None


def test_a_reply_resumes_a_request_waiting_on_the_customer(world, tenant_a, in_tenant, eng):
    service_request = world.requests["B1_eng"]
    with in_tenant(tenant_a):
        service_request_status_set(request=service_request, actor=tenant_a.users["agent"],
                                   status=RequestStatus.WAITING_ON_CUSTOMER)
    response = eng.post(f"{API}/service-requests/{service_request.pk}/comments/", {
        "body": "Serial is on the back: 42",
        "files": [SimpleUploadedFile("back.png", PNG, "image/png")]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "in_progress"
    assert body["comments"][-1]["body"] == "Serial is on the back: 42"
    assert body["comments"][-1]["by_customer"] is True
    assert [f["name"] for f in body["attachments"]] == ["back.png"]
    with in_tenant(tenant_a):
        comment = ServiceComment.objects.get(request=service_request)
        assert comment.public
        assert not comment.by_staff
    assert post_json(eng, f"{API}/service-requests/{service_request.pk}/comments/",
                     {"body": "   "}).status_code == 400


def test_close_reopen_and_rate_follow_the_service_rules(world, tenant_a, in_tenant, eng):
    path = f"{API}/service-requests/{world.requests['B1_eng'].pk}"
    assert post_json(eng, f"{path}/rate/", {"score": 5}).status_code == 400  # not resolved
    assert post_json(eng, f"{path}/reopen/", {"reason": "x"}).status_code == 400  # open
    closed = post_json(eng, f"{path}/close/", {"note": "Works again"})
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"
    assert closed.json()["actions"] == {"close": False, "reopen": True, "rate": True}
    assert post_json(eng, f"{path}/close/", {}).status_code == 400  # closed already
    for bad in ({"score": 0}, {"score": 6}, {"score": "five"}, {}, {"score": True}):
        assert post_json(eng, f"{path}/rate/", bad).status_code == 400, bad
    rated = post_json(eng, f"{path}/rate/", {"score": 4, "comment": "Quick, thanks"})
    assert rated.status_code == 200
    assert (rated.json()["rating_score"], rated.json()["rating_remark"]) == (4, "Quick, thanks")
    again = post_json(eng, f"{path}/rate/", {"score": 5})
    assert again.status_code == 400
    assert "already" in again.json()["score"][0]
    assert post_json(eng, f"{path}/reopen/", {}).status_code == 400  # a reason is needed
    assert post_json(eng, f"{path}/reopen/", {"reason": " "}).status_code == 400
    reopened = post_json(eng, f"{path}/reopen/", {"reason": "It stopped again"})
    assert reopened.status_code == 200, reopened.content
    assert reopened.json()["status"] == "new"
    notes = [e["note"] for e in reopened.json()["timeline"] if e["kind"] == "status"]
    assert notes[-2:] == ["Works again", "It stopped again"]


def test_reopening_after_the_window_is_refused(world, tenant_a, in_tenant, eng):
    service_request = world.requests["B1_eng"]
    with in_tenant(tenant_a):
        service_request_status_set(request=service_request, actor=tenant_a.users["agent"],
                                   status=RequestStatus.RESOLVED)
        ServiceRequest.objects.filter(pk=service_request.pk).update(
            resolved_at=timezone.now() - timedelta(days=15))
    response = post_json(eng, f"{API}/service-requests/{service_request.pk}/reopen/",
                         {"reason": "Back"})
    assert response.status_code == 400
    assert "open a new one" in response.json()["status"][0]


# --- who sees what -----------------------------------------------------------------------

ACTIONS = [("post", "comments/", {"body": "hi"}), ("post", "close/", {}),
           ("post", "reopen/", {"reason": "x"}), ("post", "rate/", {"score": 3}),
           ("get", "", None)]


def _call(client: Client, method: str, path: str, body):
    if method == "get":
        return client.get(path)
    return post_json(client, path, body)


@pytest.mark.parametrize(("method", "suffix", "body"), ACTIONS)
def test_a_sibling_branchs_and_a_colleagues_requests_are_404(world, tenant_a, in_tenant, eng,
                                                             method, suffix, body):
    for key in ("B2", "B1_peer", "H", "B1a"):
        path = f"{API}/service-requests/{world.requests[key].pk}/{suffix}"
        assert _call(eng, method, path, body).status_code == 404, (key, suffix)
    with in_tenant(tenant_a):
        assert not ServiceComment.objects.filter(request=world.requests["B1_peer"]).exists()
        assert ServiceRequest.objects.get(pk=world.requests["B2"].pk).status == "new"


@pytest.mark.parametrize(("method", "suffix", "body"), ACTIONS)
def test_another_tenants_member_gets_404_for_every_action(world, member_b, tenant_b,
                                                          method, suffix, body):
    """Tenant B's ids start 50 million higher: tenant A's ids exist nowhere in B."""
    client_b = api(tenant_b, "bee@beta-customer.test")
    path = f"{API}/service-requests/{world.requests['H'].pk}/{suffix}"
    assert _call(client_b, method, path, body).status_code == 404


def test_a_customer_admin_acts_on_the_accounts_requests_and_branches_when_allowed(
        world, tenant_a, in_tenant):
    boss = api(tenant_a, "boss@hoth.test")
    head_request = world.requests["H"].pk  # of the buyer's contact, at the head office
    assert post_json(boss, f"{API}/service-requests/{head_request}/comments/",
                     {"body": "I follow this up"}).status_code == 201
    branch_request = f"{API}/service-requests/{world.requests['B1_peer'].pk}/close/"
    assert post_json(boss, branch_request, {}).status_code == 404
    with in_tenant(tenant_a):
        set_branches(True)
    assert post_json(boss, branch_request, {}).status_code == 200
    # The plain member at the head office sees the request of their own contact only.
    buyer = api(tenant_a, "buyer@hoth.test")
    assert buyer.get(f"{API}/service-requests/{head_request}/").status_code == 200
    assert buyer.get(f"{API}/service-requests/{world.requests['B1_eng'].pk}/"
                     ).status_code == 404


def test_a_customer_admin_raises_a_request_for_a_branch_asset(world, sla, tenant_a,
                                                             in_tenant):
    with in_tenant(tenant_a):
        set_branches(True)
    boss = api(tenant_a, "boss@hoth.test")
    response = post_json(boss, f"{API}/service-requests/", {
        "asset": world.assets["B1a"].pk, "subject": "Plant pump"})
    assert response.status_code == 201, response.content
    assert response.json()["account"]["id"] == world.accounts["B1a"].pk
    with in_tenant(tenant_a):
        created = ServiceRequest.objects.get(pk=response.json()["id"])
        assert created.contact_id is None  # the boss is no contact of the plant
        assert created.created_by_id == world.members["boss"].pk


def test_files_are_served_only_to_members_who_see_the_request(world, member_b, tenant_a,
                                                            tenant_b, in_tenant, eng,
                                                            member_client):
    response = eng.post(f"{API}/service-requests/{world.requests['B1_eng'].pk}/comments/", {
        "body": "Photo", "files": [SimpleUploadedFile("fault.png", PNG, "image/png")]})
    attachment_id = response.json()["attachments"][0]["id"]
    own = f"{API}/service-requests/{world.requests['B1_eng'].pk}/files/{attachment_id}/"
    assert eng.get(own).status_code == 200
    # The same file through another of the member's own requests: not that request's file.
    other_own = f"{API}/service-requests/{world.requests['B1_eng_contact'].pk}/files/" \
                f"{attachment_id}/"
    assert eng.get(other_own).status_code == 404
    assert api(tenant_a, "sib@hoth.test").get(own).status_code == 404
    assert api(tenant_b, "bee@beta-customer.test").get(own).status_code == 404
    # The staff download route answers as the portal does: a colleague at the same branch
    # who does not see the request does not get its file either.
    with in_tenant(tenant_a):
        from tests.portal.conftest import make_member

        colleague = make_member("peer@hoth.test", contact=world.contacts["peer"])
    files_url = f"/files/attachment/{attachment_id}/"
    assert member_client(colleague).get(files_url).status_code == 404
    assert member_client(world.members["eng"]).get(files_url).status_code == 200


def test_staff_and_staff_tokens_cannot_use_the_member_writes(world, tenant_a, in_tenant,
                                                           tenant_client):
    from crm.api_tokens.services import api_token_create

    with in_tenant(tenant_a):
        staff_token = api_token_create(user=tenant_a.users["admin"], name="t").secret
    staff = Client(HTTP_HOST=tenant_a.host, HTTP_AUTHORIZATION=f"Token {staff_token}")
    assert post_json(staff, f"{API}/service-requests/", {"subject": "x"}).status_code == 401
    assert post_json(staff, f"{API}/assets/", {"serial_number": "x", "model": "y"}
                     ).status_code == 401
    session = tenant_client(tenant_a, tenant_a.users["admin"])
    assert post_json(session, f"{API}/service-requests/", {"subject": "x"}).status_code == 403


def test_a_members_token_is_refused_on_the_staff_service_api(world, tenant_a):
    token = token_for(tenant_a, "eng@hoth.test")
    staff_api = Client(HTTP_HOST=tenant_a.host, HTTP_AUTHORIZATION=f"Token {token}")
    assert staff_api.get(f"/api/v1/service-requests/{world.requests['B1_eng'].pk}/"
                         ).status_code == 401
    assert post_json(staff_api, "/api/v1/service-requests/", {"subject": "x"}
                     ).status_code == 401


def test_the_detail_keeps_a_query_budget(world, tenant_a, in_tenant, eng,
                                         django_assert_max_num_queries):
    service_request = world.requests["B1_eng"]
    with in_tenant(tenant_a):
        agent = tenant_a.users["agent"]
        for index in range(15):
            service_comment_add(request=service_request, actor=agent, body=f"Step {index}",
                                public=True)
            service_comment_add(request=service_request, actor=world.members["eng"],
                                body=f"Answer {index}",
                                uploads=[SimpleUploadedFile(f"p{index}.png", PNG,
                                                            "image/png")])
    with django_assert_max_num_queries(14):
        response = eng.get(f"{API}/service-requests/{service_request.pk}/")
    assert response.status_code == 200
    assert len(response.json()["comments"]) == 30
    assert len(response.json()["attachments"]) == 15
