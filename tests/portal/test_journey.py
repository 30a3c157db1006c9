"""The customer's whole journey through the test client (issue 11), staff steps included:

invite -> set password -> sign in -> inquiry -> quote request -> staff adjust, approve and
send -> accept -> order -> service request -> public and internal comments -> close -> rate.

Every member step goes through the portal (pages and /portal/api/v1/), every staff step
through the CRM's API or pages, with on-commit callbacks run as the server would run them,
so the e-mails each step queues are checked too."""

import re
from decimal import Decimal

import pytest

from crm.leads.models import Lead, LeadSource
from crm.orders.models import Order
from crm.quotes.models import Quote, QuoteStatus
from crm.service.models import ServiceComment, ServiceRequest
from crm.staff.models import RolePolicy
from portal.models import PortalMembership
from tenants.users.models import Role
from tests.crm.catalog.factories import make_product
from tests.crm.service.sla_factories import make_policy

pytestmark = pytest.mark.django_db(transaction=False)

PASSWORD = "Ivy-long-password-7"


def _link_from(message) -> str:
    match = re.search(r"https?://[^/\s]+(/portal/invitation/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _json(response, status: int = 200):
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json()


def test_customer_journey_from_invitation_to_rating(world, tenant_a, tenant_client, in_tenant,
                                                    mailoutbox,
                                                    django_capture_on_commit_callbacks):
    rep, admin = tenant_a.users["rep"], tenant_a.users["admin"]
    with in_tenant(tenant_a):
        from crm.accounts.models import Contact

        account = world.accounts["B1"]
        account.owner = rep
        account.save(update_fields=["owner"])
        contact = Contact.objects.create(account=account, first_name="Ivy",
                                         last_name="Invitee", email="ivy@hoth.test")
        drill = make_product(actor=admin, sku="JRN-100", name="Journey drill",
                             list_price=Decimal("100.00"), tax_rate=Decimal(13))
        RolePolicy.objects.update_or_create(role=Role.SALES_REP,
                                            defaults={"discount_limit_percent": Decimal(10)})
        asset = world.assets["B1"]
        make_policy(is_default=True)  # the tenant's SLA: due times on every request

    staff = tenant_client(tenant_a, admin)
    rep_client = tenant_client(tenant_a, rep)

    # 1. Invitation from the contact's page; the link sets the password.
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/crm/portal/contacts/{contact.pk}/invite/", {"role": "member"})
    assert response.status_code == 302
    link = _link_from(mailoutbox[-1])
    member = tenant_client(tenant_a)
    assert member.get(link).status_code == 200
    response = member.post(link, {"first_name": "Ivy", "last_name": "Invitee",
                                  "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        membership = PortalMembership.objects.get(contact=contact, is_active=True)

    # 2. Sign in at /portal/login/ (a fresh browser) and get an API token too.
    member = tenant_client(tenant_a)
    response = member.post("/portal/login/", {"username": "ivy@hoth.test",
                                              "password": PASSWORD})
    assert response.status_code == 302
    assert member.get("/portal/").status_code == 200
    token = _json(member.post("/portal/api/v1/auth/token/",
                              {"email": "ivy@hoth.test", "password": PASSWORD},
                              content_type="application/json"))["token"]
    api = tenant_client(tenant_a, HTTP_AUTHORIZATION=f"Token {token}")
    me = _json(api.get("/portal/api/v1/me/"))
    assert me["email"] == "ivy@hoth.test"
    assert me["account"]["id"] == account.pk
    # The member never reaches the staff side.
    assert api.get("/api/v1/accounts/").status_code in (401, 403)
    assert member.get("/crm/").status_code in (302, 403, 404)

    # 3. An inquiry: committed as a lead at once, its reference shown.
    with django_capture_on_commit_callbacks(execute=True):
        answer = _json(member.post("/portal/api/v1/inquiries/", {
            "name": "Ivy Invitee", "company": "Hoth Branch One", "email": "ivy@hoth.test",
            "phone": "+1 555 0100", "product_interest": "Journey drill",
            "message": "We need twelve drills for the new plant."},
            content_type="application/json"), 201)
    assert answer["reference"]
    with in_tenant(tenant_a):
        assert Lead.objects.filter(source=LeadSource.PORTAL_INQUIRY,
                                   email="ivy@hoth.test").count() == 1

    # 4. A quote request from the catalog at the account's prices.
    catalog = _json(api.get("/portal/api/v1/catalog/", {"search": "JRN-100"}))
    row = next(item for item in catalog["results"] if item["sku"] == "JRN-100")
    assert row["unit_price"] == "100.00"
    with django_capture_on_commit_callbacks(execute=True):
        quote = _json(api.post("/portal/api/v1/quotes/", {
            "lines": [{"product": drill.pk, "quantity": 12}], "note": "For the new plant"},
            content_type="application/json"), 201)
    assert quote["status"] == "requested"
    assert Decimal(quote["total"]) == Decimal("1356.00")  # 12 x 100.00 + 13 % tax

    # 5. Staff adjust (a discount past the rep's limit), approval, sending.
    url = f"/api/v1/quotes/{quote['id']}/"
    staff_view = _json(rep_client.get(url))
    assert staff_view["status"] == QuoteStatus.REQUESTED
    line = staff_view["lines"][0]
    _json(rep_client.patch(url, {"lines": [{"product": drill.pk, "quantity": line["quantity"],
                                             "discount_percent": "20"}]},
                           content_type="application/json"))
    with django_capture_on_commit_callbacks(execute=True):
        submitted = _json(rep_client.post(f"{url}submit/"))
    assert submitted["status"] == QuoteStatus.PENDING_APPROVAL
    with django_capture_on_commit_callbacks(execute=True):
        approved = _json(staff.post(f"{url}approve/", {"comment": "Plant launch"},
                                    content_type="application/json"))
    assert approved["status"] == QuoteStatus.APPROVED
    with django_capture_on_commit_callbacks(execute=True):
        sent = _json(rep_client.post(f"{url}send/"))
    assert sent["status"] == QuoteStatus.SENT

    # 6. The member sees the revision at its new total and accepts it: an order.
    seen = _json(api.get(f"/portal/api/v1/quotes/{quote['id']}/"))
    assert seen["status"] == "sent"
    assert Decimal(seen["total"]) == Decimal("1084.80")  # 12 x 80.00 + 13 % tax
    pdf = member.get(f"/portal/quotes/{quote['id']}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    with django_capture_on_commit_callbacks(execute=True):
        accepted = _json(api.post(f"/portal/api/v1/quotes/{quote['id']}/accept/",
                                  {"name": "Ivy Invitee"}, content_type="application/json"))
    with in_tenant(tenant_a):
        order = Order.objects.get(pk=accepted["order"]["id"])
        assert order.account_id == account.pk
        assert order.total == Decimal("1084.80")
        stored = Quote.objects.get(pk=quote["id"])
        assert stored.status == QuoteStatus.ACCEPTED
        assert stored.accepted_by_name == "Ivy Invitee"

    # 7. A service request against the branch's asset.
    with django_capture_on_commit_callbacks(execute=True):
        created = _json(api.post("/portal/api/v1/service-requests/", {
            "subject": "Drill will not charge", "description": "Since Monday.",
            "severity": "high", "asset": asset.pk}), 201)
    request_id = created["id"]
    with in_tenant(tenant_a):
        service_request = ServiceRequest.objects.get(pk=request_id)
        assert service_request.asset_id == asset.pk
        assert service_request.resolution_due is not None
    assert created["resolution_due"]

    # 8. Staff answer in public and note internally; the member sees the public one only.
    staff_url = f"/api/v1/service-requests/{request_id}/"
    with django_capture_on_commit_callbacks(execute=True):
        _json(staff.post(f"{staff_url}comments/", {"body": "Please try the spare battery.",
                                                   "public": True},
                         content_type="application/json"), 201)
        _json(staff.post(f"{staff_url}comments/", {"body": "Known batch fault: replace.",
                                                   "public": False},
                         content_type="application/json"), 201)
    detail = _json(api.get(f"/portal/api/v1/service-requests/{request_id}/"))
    bodies = [comment["body"] for comment in detail["comments"]]
    assert "Please try the spare battery." in bodies
    assert "Known batch fault: replace." not in bodies
    page = member.get(f"/portal/service-requests/{request_id}/").content.decode()
    assert "Please try the spare battery." in page
    assert "Known batch fault" not in page
    assert not any("Known batch fault" in message.body for message in mailoutbox)
    assert any("Please try the spare battery." in message.body for message in mailoutbox
               if "ivy@hoth.test" in message.to)

    # 9. The member replies, closes and rates.
    with django_capture_on_commit_callbacks(execute=True):
        _json(api.post(f"/portal/api/v1/service-requests/{request_id}/comments/",
                       {"body": "The spare battery works, thanks."}), 201)
        closed = _json(api.post(f"/portal/api/v1/service-requests/{request_id}/close/",
                                {"note": "Solved"}))
    assert closed["status"] == "closed"
    with django_capture_on_commit_callbacks(execute=True):
        rated = _json(api.post(f"/portal/api/v1/service-requests/{request_id}/rate/",
                               {"score": 5, "comment": "Quick and friendly"}))
    assert rated["rating_score"] == 5
    with in_tenant(tenant_a):
        service_request.refresh_from_db()
        assert service_request.status == "closed"
        assert service_request.rating_score == 5
        assert ServiceComment.objects.filter(request=service_request, public=True,
                                             by_staff=False).count() == 1
    assert membership.role == "member"
