"""The quote builder's member API: catalog with the account's prices, quote requests, live
totals, accept and reject; bad input is a 400 with field errors; other members, accounts
and tenants get 404; staff and member credentials stay on their own side."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from crm.api_tokens.services import api_token_create
from crm.core.models import Notification
from crm.orders.models import Order
from crm.quotes.models import Quote, QuoteStatus
from crm.quotes.services import QuoteLineInput, quote_totals_preview
from portal.models import PortalSettings
from tests.conftest import PASSWORD
from tests.portal.conftest import make_quote, set_branches
from tests.portal.quote_builder_helpers import make_catalog, requested_quote, sent_quote

CATALOG = "/portal/api/v1/catalog/"
QUOTES = "/portal/api/v1/quotes/"
PREVIEW = "/portal/api/v1/quotes/preview/"


def _token(tenant, tenant_client, email: str) -> str:
    response = tenant_client(tenant).post("/portal/api/v1/auth/token/",
                                          {"email": email, "password": PASSWORD},
                                          content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _api(tenant, token: str) -> Client:
    return Client(HTTP_HOST=tenant.host, HTTP_AUTHORIZATION=f"Token {token}")


@pytest.fixture
def catalog(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        world.accounts["B1"].owner = tenant_a.users["rep"]
        world.accounts["B1"].save(update_fields=["owner"])
        return make_catalog(world, tenant_a.users["admin"])


@pytest.fixture
def eng(world, catalog, tenant_a, tenant_client) -> Client:
    return _api(tenant_a, _token(tenant_a, tenant_client, "eng@hoth.test"))


def _post(client: Client, path: str, body) -> object:
    return client.post(path, body, content_type="application/json")


# --- catalog -----------------------------------------------------------------------------

def test_catalog_lists_active_products_at_the_accounts_prices(eng, catalog, tenant_a,
                                                              in_tenant):
    response = eng.get(CATALOG)
    assert response.status_code == 200
    rows = {row["sku"]: row for row in response.json()["results"]}
    assert set(rows) == {"DRL-100", "SAW-200"}  # the retired product is not offered
    assert rows["DRL-100"]["unit_price"] == "80.00"
    assert rows["DRL-100"]["price_source"] == "account"
    assert rows["SAW-200"]["unit_price"] == "40.00"
    assert rows["SAW-200"]["currency"] == "USD"
    assert rows["DRL-100"]["name"] == "Cordless drill"
    # List prices stay hidden unless the tenant makes them public.
    assert rows["DRL-100"]["list_price"] is None
    with in_tenant(tenant_a):
        PortalSettings.objects.update_or_create(pk=1, defaults={"list_prices_public": True})
    rows = {row["sku"]: row for row in eng.get(CATALOG).json()["results"]}
    assert rows["DRL-100"]["list_price"] == "100.00"


def test_catalog_searches_by_name_and_sku(eng, catalog):
    assert [r["sku"] for r in eng.get(CATALOG, {"search": "saw"}).json()["results"]] == [
        "SAW-200"]
    assert [r["sku"] for r in eng.get(CATALOG, {"search": "DRL"}).json()["results"]] == [
        "DRL-100"]
    assert [r["sku"] for r in eng.get(CATALOG, {"sku": "saw-200"}).json()["results"]] == [
        "SAW-200"]
    assert eng.get(CATALOG, {"search": "OLD-300"}).json()["results"] == []


def test_catalog_prices_follow_the_account_parameter(world, catalog, tenant_a, tenant_client,
                                                     in_tenant):
    """The head office has no book: list prices; a foreign account is a 404."""
    boss = _api(tenant_a, _token(tenant_a, tenant_client, "boss@hoth.test"))
    rows = {r["sku"]: r for r in boss.get(CATALOG).json()["results"]}
    assert rows["DRL-100"]["unit_price"] == "100.00"
    assert boss.get(CATALOG, {"account": world.accounts["B1"].pk}).status_code == 404
    eng = _api(tenant_a, _token(tenant_a, tenant_client, "eng@hoth.test"))
    assert eng.get(CATALOG, {"account": world.accounts["B2"].pk}).status_code == 404
    assert eng.get(CATALOG, {"account": "x"}).status_code == 404


def test_catalog_list_keeps_a_query_budget(eng, catalog, tenant_a, in_tenant,
                                           django_assert_max_num_queries):
    from tests.crm.catalog.factories import make_product

    with in_tenant(tenant_a):
        for index in range(60):
            make_product(actor=tenant_a.users["admin"], sku=f"BULK-{index:03d}",
                         name=f"Bulk item {index:03d}")
    with django_assert_max_num_queries(10):
        response = eng.get(CATALOG)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 50
    assert response.json()["next"]


# --- requests and live totals ------------------------------------------------------------

def _staff_totals(tenant_a, in_tenant, account, lines):
    with in_tenant(tenant_a):
        return quote_totals_preview(account=account, currency="", lines=[
            QuoteLineInput(product=product, quantity=Decimal(quantity))
            for product, quantity in lines])


def test_preview_prices_and_totals_like_the_staff_totals_service(eng, world, catalog,
                                                                 tenant_a, in_tenant):
    response = _post(eng, PREVIEW, {"lines": [{"product": catalog.drill.pk, "quantity": 3},
                                              {"product": catalog.saw.pk, "quantity": "2.5"}]})
    assert response.status_code == 200, response.content
    body = response.json()
    staff = _staff_totals(tenant_a, in_tenant, world.accounts["B1"],
                          [(catalog.drill, 3), (catalog.saw, "2.5")])
    assert body["total"] == str(staff.totals.total) == "384.20"
    assert body["subtotal"] == str(staff.totals.subtotal) == "340.00"
    assert body["tax_total"] == str(staff.totals.tax_total)
    assert [line["unit_price"] for line in body["lines"]] == ["80.00", "40.00"]
    assert [line["line_net"] for line in body["lines"]] == ["240.00", "100.00"]
    assert body["lines"][0]["line_total"] == "271.20"
    assert body["currency"] == "USD"
    with in_tenant(tenant_a):
        assert not Quote.objects.filter(requested_by=world.members["eng"],
                                        lines__product=catalog.drill).exists()


def test_a_quote_request_is_requested_owned_priced_and_the_staff_told_after_commit(
        eng, world, catalog, tenant_a, in_tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _post(eng, QUOTES, {"lines": [{"product": catalog.drill.pk, "quantity": 3},
                                                 {"product": catalog.saw.pk, "quantity": 1}],
                                       "note": "Before March, please"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "requested"
    staff = _staff_totals(tenant_a, in_tenant, world.accounts["B1"],
                          [(catalog.drill, 3), (catalog.saw, 1)])
    assert body["total"] == str(staff.totals.total) == "316.40"
    assert body["subtotal"] == "280.00"
    assert body["account"] == {"id": world.accounts["B1"].pk, "name": "Hoth Branch One"}
    assert [line["unit_price"] for line in body["lines"]] == ["80.00", "40.00"]
    with in_tenant(tenant_a):
        quote = Quote.objects.get(pk=body["id"])
        assert quote.owner == tenant_a.users["rep"]  # the account's owner
        assert quote.requested_by == world.members["eng"]
        assert quote.contact == world.contacts["eng"]
        assert quote.note == "Before March, please"
        told = Notification.objects.filter(object_id=quote.pk, verb="portal_quote_request")
        assert [n.recipient for n in told] == [tenant_a.users["rep"]]
    # The e-mail to the owner waits for the commit.
    assert callbacks, "the staff e-mail is queued on commit"
    # The member sees their request at once.
    assert body["id"] in {row["id"] for row in eng.get(QUOTES).json()["results"]}


def test_a_request_for_an_account_without_owner_tells_who_may_assign(
        world, catalog, tenant_a, tenant_client, in_tenant):
    boss = _api(tenant_a, _token(tenant_a, tenant_client, "boss@hoth.test"))
    response = _post(boss, QUOTES, {"lines": [{"product": catalog.saw.pk, "quantity": 2}]})
    assert response.status_code == 201
    with in_tenant(tenant_a):
        quote = Quote.objects.get(pk=response.json()["id"])
        assert quote.owner is None
        recipients = set(Notification.objects.filter(object_id=quote.pk,
                                                     verb="portal_quote_request")
                         .values_list("recipient__email", flat=True))
    assert "admin@alpha.test" in recipients
    assert "rep@alpha.test" not in recipients


MANY = [{"product": 1, "quantity": 1}] * 101


@pytest.mark.parametrize(("body", "field"), [
    ({"lines": []}, "lines"),
    ({}, "lines"),
    ({"lines": "drill"}, "lines"),
    ({"lines": [{"quantity": 1}]}, "lines"),
    ({"lines": [{"product": "abc", "quantity": 1}]}, "lines"),
    ({"lines": [{"product": 999_999_999, "quantity": 1}]}, "lines"),
    ({"lines": [{"product": "retired", "quantity": 1}]}, "lines"),
    ({"lines": [{"product": "drill", "quantity": 0}]}, "lines"),
    ({"lines": [{"product": "drill", "quantity": -2}]}, "lines"),
    ({"lines": [{"product": "drill", "quantity": "abc"}]}, "lines"),
    ({"lines": [{"product": "drill", "quantity": "1e40"}]}, "lines"),
    ({"lines": [{"product": "drill", "quantity": 1_000_001}]}, "lines"),
    ({"lines": [{"product": "drill", "quantity": "1.0005"}]}, "lines"),
    ({"lines": [{"product": "drill", "quantity": "NaN"}]}, "lines"),
    ({"lines": [{"product": "drill", "quantity": None}]}, "lines"),
    ({"lines": MANY}, "lines"),
])
@pytest.mark.parametrize("path", [QUOTES, PREVIEW])
def test_bad_baskets_are_a_400_naming_the_field(eng, catalog, body, field, path):
    names = {"drill": catalog.drill.pk, "retired": catalog.retired.pk}
    if isinstance(body.get("lines"), list):
        body = {**body, "lines": [
            {**line, "product": names.get(line.get("product"), line.get("product"))}
            if isinstance(line.get("product"), str) else line for line in body["lines"]]}
    response = _post(eng, path, body)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_a_note_longer_than_2000_characters_is_refused(eng, catalog):
    response = _post(eng, QUOTES, {"lines": [{"product": catalog.drill.pk, "quantity": 1}],
                                   "note": "x" * 2001})
    assert response.status_code == 400
    assert "note" in response.json()


def test_a_line_error_names_the_line(eng, catalog):
    response = _post(eng, QUOTES, {"lines": [{"product": catalog.drill.pk, "quantity": 1},
                                             {"product": catalog.saw.pk, "quantity": 0}]})
    assert response.status_code == 400
    assert response.json()["lines"][0] == {}
    assert "quantity" in response.json()["lines"][1]


def test_a_product_id_of_another_tenant_is_not_in_this_catalog(eng, catalog, tenant_b,
                                                               in_tenant):
    from tests.conftest import SECOND_TENANT_ID_OFFSET
    from tests.crm.catalog.factories import make_product

    with in_tenant(tenant_b):
        theirs = make_product(actor=tenant_b.users["admin"], sku="BETA-1")
    assert theirs.pk > SECOND_TENANT_ID_OFFSET > catalog.drill.pk
    response = _post(eng, QUOTES, {"lines": [{"product": theirs.pk, "quantity": 1}]})
    assert response.status_code == 400
    assert "product" in response.json()["lines"][0]


def test_a_request_for_a_foreign_account_is_a_404(eng, world, catalog):
    response = eng.post(f"{QUOTES}?account={world.accounts['B2'].pk}",
                        {"lines": [{"product": catalog.drill.pk, "quantity": 1}]},
                        content_type="application/json")
    assert response.status_code == 404


# --- accept and reject -------------------------------------------------------------------

def _sent(world, catalog, tenant_a, in_tenant, member="eng"):
    with in_tenant(tenant_a):
        return sent_quote(world.members[member], tenant_a.users["admin"],
                          [(catalog.drill, 2)])


def test_accepting_records_the_name_time_address_and_makes_the_order(
        eng, world, catalog, tenant_a, in_tenant):
    quote = _sent(world, catalog, tenant_a, in_tenant)
    response = _post(eng, f"{QUOTES}{quote.pk}/accept/", {"name": "Erin Eng"})
    assert response.status_code == 200, response.content
    body = response.json()
    with in_tenant(tenant_a):
        order = Order.objects.get(quote_id=quote.pk)
        quote.refresh_from_db()
    assert body["order"] == {"id": order.pk, "number": order.number, "status": order.status}
    assert body["quote"]["status"] == "accepted"
    assert quote.accepted_by_name == "Erin Eng"
    assert quote.accepted_by == world.members["eng"]
    assert quote.accepted_ip == "127.0.0.1"
    assert quote.accepted_at is not None
    assert order.total == quote.total
    # Accepting twice is refused: it is no longer waiting for an answer.
    again = _post(eng, f"{QUOTES}{quote.pk}/accept/", {"name": "Erin Eng"})
    assert again.status_code == 400
    assert "status" in again.json()


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 201}])
def test_accepting_needs_a_typed_name(eng, world, catalog, tenant_a, in_tenant, body):
    quote = _sent(world, catalog, tenant_a, in_tenant)
    response = _post(eng, f"{QUOTES}{quote.pk}/accept/", body)
    assert response.status_code == 400
    assert "name" in response.json()


def test_only_a_sent_valid_quote_can_be_accepted(eng, world, catalog, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        requested = requested_quote(world.members["eng"], [(catalog.drill, 1)])
    response = _post(eng, f"{QUOTES}{requested.pk}/accept/", {"name": "Erin"})
    assert response.status_code == 400
    assert "status" in response.json()
    quote = _sent(world, catalog, tenant_a, in_tenant)
    with in_tenant(tenant_a):
        Quote.objects.filter(pk=quote.pk).update(
            valid_until=timezone.localdate() - timedelta(days=1))
    expired = _post(eng, f"{QUOTES}{quote.pk}/accept/", {"name": "Erin"})
    assert expired.status_code == 400
    assert "valid_until" in expired.json()
    with in_tenant(tenant_a):
        assert not Order.objects.filter(quote_id=quote.pk).exists()


def test_rejecting_needs_a_reason_and_keeps_it(eng, world, catalog, tenant_a, in_tenant):
    quote = _sent(world, catalog, tenant_a, in_tenant)
    assert _post(eng, f"{QUOTES}{quote.pk}/reject/", {"reason": " "}).status_code == 400
    response = _post(eng, f"{QUOTES}{quote.pk}/reject/", {"reason": "Too expensive"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected"
    with in_tenant(tenant_a):
        quote.refresh_from_db()
        assert quote.rejected_reason == "Too expensive"
        assert Notification.objects.filter(object_id=quote.pk,
                                           verb="portal_quote_rejected").exists()
    assert _post(eng, f"{QUOTES}{quote.pk}/accept/", {"name": "Erin"}).status_code == 400


# --- isolation ---------------------------------------------------------------------------

def test_a_sibling_branchs_member_cannot_see_or_decide_anothers_quote(
        world, catalog, tenant_a, tenant_client, in_tenant):
    quote = _sent(world, catalog, tenant_a, in_tenant)
    sib = _api(tenant_a, _token(tenant_a, tenant_client, "sib@hoth.test"))
    assert sib.get(f"{QUOTES}{quote.pk}/").status_code == 404
    assert _post(sib, f"{QUOTES}{quote.pk}/accept/", {"name": "Sib"}).status_code == 404
    assert _post(sib, f"{QUOTES}{quote.pk}/reject/", {"reason": "no"}).status_code == 404
    with in_tenant(tenant_a):
        quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT


def test_a_member_decides_only_their_own_quotes_a_customer_admin_all_of_the_account(
        world, catalog, tenant_a, tenant_client, in_tenant):
    """At the head office, the plain member ``buyer`` may not answer the boss's quote; the
    customer admin may answer any quote of the account (and of branches where allowed)."""
    with in_tenant(tenant_a):
        bosses = make_quote(world.accounts["H"], contact=world.contacts["boss"])
        Quote.objects.filter(pk=bosses.pk).update(
            valid_until=timezone.localdate() + timedelta(days=10))
    buyer = _api(tenant_a, _token(tenant_a, tenant_client, "buyer@hoth.test"))
    assert _post(buyer, f"{QUOTES}{bosses.pk}/reject/", {"reason": "no"}).status_code == 404
    engs = _sent(world, catalog, tenant_a, in_tenant)
    boss = _api(tenant_a, _token(tenant_a, tenant_client, "boss@hoth.test"))
    # Without branch visibility the boss does not see the branch's quote...
    assert _post(boss, f"{QUOTES}{engs.pk}/reject/", {"reason": "no"}).status_code == 404
    with in_tenant(tenant_a):
        set_branches(True)
    # ...with it, they answer for the branch.
    response = _post(boss, f"{QUOTES}{engs.pk}/reject/", {"reason": "Budget cut"})
    assert response.status_code == 200, response.content
    assert _post(boss, f"{QUOTES}{bosses.pk}/reject/", {"reason": "no"}).status_code == 200


def test_another_tenants_member_gets_404_for_this_tenants_quote(
        world, catalog, member_b, tenant_a, tenant_b, tenant_client, in_tenant):
    from tests.conftest import SECOND_TENANT_ID_OFFSET

    quote = _sent(world, catalog, tenant_a, in_tenant)
    assert quote.pk < SECOND_TENANT_ID_OFFSET  # no quote of B can have this id
    client_b = _api(tenant_b, _token(tenant_b, tenant_client, "bee@beta-customer.test"))
    assert client_b.get(f"{QUOTES}{quote.pk}/").status_code == 404
    assert _post(client_b, f"{QUOTES}{quote.pk}/accept/", {"name": "Bee"}).status_code == 404
    assert _post(client_b, f"{QUOTES}{quote.pk}/reject/", {"reason": "x"}).status_code == 404
    # Tenant A's product ids are unknown in B's catalog.
    response = _post(client_b, QUOTES, {"lines": [{"product": catalog.drill.pk,
                                                   "quantity": 1}]})
    assert response.status_code == 400


def test_member_and_staff_credentials_stay_on_their_side(world, catalog, tenant_a,
                                                         tenant_client, in_tenant):
    member_token = _token(tenant_a, tenant_client, "eng@hoth.test")
    member = _api(tenant_a, member_token)
    assert member.get("/api/v1/quotes/").status_code == 401
    assert _post(member, "/api/v1/quotes/", {}).status_code == 401
    with in_tenant(tenant_a):
        staff_token = api_token_create(user=tenant_a.users["admin"], name="t").secret
    staff = _api(tenant_a, staff_token)
    body = {"lines": [{"product": catalog.drill.pk, "quantity": 1}]}
    for path in (CATALOG, QUOTES):
        assert staff.get(path).status_code == 401
    assert _post(staff, QUOTES, body).status_code == 401
    assert _post(staff, PREVIEW, body).status_code == 401
    session = tenant_client(tenant_a, tenant_a.users["admin"])
    assert session.get(CATALOG).status_code == 403
    assert _post(session, QUOTES, body).status_code == 403
    with in_tenant(tenant_a):
        assert not Quote.objects.filter(lines__product=catalog.drill).exists()


def test_the_session_api_needs_the_csrf_token(world, catalog, tenant_a, in_tenant):
    client = Client(HTTP_HOST=tenant_a.host, enforce_csrf_checks=True)
    with in_tenant(tenant_a):
        client.force_login(world.members["eng"])
    response = _post(client, QUOTES, {"lines": [{"product": catalog.drill.pk,
                                                 "quantity": 1}]})
    assert response.status_code == 403


def test_quote_list_keeps_a_query_budget_with_requests(world, catalog, tenant_a, in_tenant,
                                                       tenant_client,
                                                       django_assert_max_num_queries):
    with in_tenant(tenant_a):
        for _index in range(30):
            requested_quote(world.members["eng"], [(catalog.drill, 1), (catalog.saw, 2)])
    client = _api(tenant_a, _token(tenant_a, tenant_client, "eng@hoth.test"))
    with django_assert_max_num_queries(10):
        response = client.get(QUOTES)
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 30
