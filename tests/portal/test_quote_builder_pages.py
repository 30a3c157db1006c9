"""The quote builder's pages: catalog with the account's prices, live totals from the server,
drafts saved server-side and private to their member, submitting a request, and the quote
page's PDF, acceptance (with the order) and rejection; CSRF on every form."""

from decimal import Decimal

import pytest
from django.test import Client

from crm.orders.models import Order
from crm.quotes.models import Quote, QuoteStatus
from crm.quotes.services import QuoteLineInput, quote_totals_preview
from portal.quote_builder.models import QuoteDraft
from tests.portal.quote_builder_helpers import make_catalog, sent_quote


@pytest.fixture
def catalog(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        return make_catalog(world, tenant_a.users["admin"])


def _basket(catalog, **quantities) -> dict[str, list[str]]:
    products = {"drill": catalog.drill, "saw": catalog.saw}
    return {"product": [str(products[name].pk) for name in quantities],
            "quantity": [str(value) for value in quantities.values()]}


def test_the_builder_shows_the_catalog_at_the_accounts_prices(world, catalog, member_client):
    response = member_client(world.members["eng"]).get("/portal/quotes/new/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cordless drill" in html
    assert "Circular saw" in html
    assert "Retired drill" not in html
    assert "80.00" in html  # B1's own price, not the list price
    assert 'name="csrfmiddlewaretoken"' in html
    search = member_client(world.members["eng"]).get("/portal/quotes/builder/catalog/",
                                                     {"q": "saw"})
    assert "Circular saw" in search.content.decode()
    assert "Cordless drill" not in search.content.decode()


def test_live_totals_come_from_the_totals_service(world, catalog, member_client, tenant_a,
                                                  in_tenant):
    client = member_client(world.members["eng"])
    response = client.post("/portal/quotes/builder/totals/", _basket(catalog, drill=3, saw=1))
    assert response.status_code == 200
    with in_tenant(tenant_a):
        staff = quote_totals_preview(account=world.accounts["B1"], currency="", lines=[
            QuoteLineInput(product=catalog.drill, quantity=Decimal(3)),
            QuoteLineInput(product=catalog.saw, quantity=Decimal(1))])
    html = response.content.decode()
    assert str(staff.totals.total) == "316.40"
    assert "316.40" in html.split('id="totals-total"')[1]
    bad = client.post("/portal/quotes/builder/totals/", _basket(catalog, drill="abc"))
    assert bad.status_code == 200
    assert "Line 1" in bad.content.decode()


def test_adding_and_removing_lines_rerenders_the_basket(world, catalog, member_client):
    client = member_client(world.members["eng"])
    added = client.post("/portal/quotes/builder/add/", {**_basket(catalog, drill=2),
                                                        "add": str(catalog.saw.pk)})
    assert added.status_code == 200
    assert added["HX-Trigger-After-Settle"] == "basketChanged"
    html = added.content.decode()
    assert html.count('name="product"') == 2
    assert "Circular saw" in html
    # A product already in the basket stays one line.
    again = client.post("/portal/quotes/builder/add/", {**_basket(catalog, drill=2),
                                                        "add": str(catalog.drill.pk)})
    assert again.content.decode().count('name="product"') == 1
    for unknown in (str(catalog.retired.pk), "999999999", "x"):
        assert client.post("/portal/quotes/builder/add/", {"add": unknown}).status_code == 404
    removed = client.post("/portal/quotes/builder/remove/",
                          {**_basket(catalog, drill=2, saw=1), "remove": "0"})
    assert removed.content.decode().count('name="product"') == 1
    assert "Cordless drill" not in removed.content.decode()


def test_a_draft_is_saved_private_to_its_member_and_submitted_as_a_request(
        world, catalog, member_client, tenant_a, in_tenant):
    eng = member_client(world.members["eng"])
    response = eng.post("/portal/quotes/drafts/save/", {**_basket(catalog, drill=4, saw=1),
                                                        "note": "Line 2 spares"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        draft = QuoteDraft.objects.get(member=world.members["eng"])
        assert [(line.product_id, line.quantity) for line in draft.lines.all()] == [
            (catalog.drill.pk, Decimal(4)), (catalog.saw.pk, Decimal(1))]
        # Staff never see a basket: it is not a quote.
        assert not Quote.objects.filter(lines__product=catalog.saw).exists()
    assert response["Location"] == f"/portal/quotes/drafts/{draft.pk}/"
    page = eng.get(response["Location"])
    assert page.status_code == 200
    assert 'value="4"' in page.content.decode()
    assert "Line 2 spares" in page.content.decode()
    assert f"/portal/quotes/drafts/{draft.pk}/" in eng.get("/portal/quotes/").content.decode()
    # Another member, even of the same account tree, gets a 404 for it.
    peer = member_client(world.members["sib"])
    assert peer.get(f"/portal/quotes/drafts/{draft.pk}/").status_code == 404
    assert peer.post(f"/portal/quotes/drafts/{draft.pk}/submit/",
                     _basket(catalog, drill=1)).status_code == 404
    assert peer.post(f"/portal/quotes/drafts/{draft.pk}/delete/").status_code == 404
    # Saving again replaces it; submitting uses it up.
    assert eng.post(f"/portal/quotes/drafts/{draft.pk}/save/",
                    _basket(catalog, drill=5)).status_code == 302
    submitted = eng.post(f"/portal/quotes/drafts/{draft.pk}/submit/",
                         {**_basket(catalog, drill=5), "note": "Please hurry"})
    assert submitted.status_code == 302
    with in_tenant(tenant_a):
        quote = Quote.objects.get(requested_by=world.members["eng"],
                                  lines__product=catalog.drill)
        assert quote.status == QuoteStatus.REQUESTED
        assert quote.total == Decimal("452.00")  # 5 x 80.00 + 13 %
        assert not QuoteDraft.objects.filter(pk=draft.pk).exists()
    assert submitted["Location"] == f"/portal/quotes/{quote.pk}/"
    assert quote.number in eng.get(submitted["Location"]).content.decode()


def test_a_bad_basket_is_shown_again_with_the_lines_errors(world, catalog, member_client,
                                                           tenant_a, in_tenant):
    eng = member_client(world.members["eng"])
    response = eng.post("/portal/quotes/request/", _basket(catalog, drill=0, saw=2))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The quantity must be more than 0." in html
    assert html.count('name="product"') == 2
    assert eng.post("/portal/quotes/request/", {}).status_code == 400
    with in_tenant(tenant_a):
        assert not Quote.objects.filter(requested_by=world.members["eng"],
                                        lines__product=catalog.saw).exists()


def test_every_builder_form_needs_the_csrf_token(world, catalog, tenant_a, in_tenant):
    client = Client(HTTP_HOST=tenant_a.host, enforce_csrf_checks=True)
    with in_tenant(tenant_a):
        client.force_login(world.members["eng"])
    for path in ("/portal/quotes/request/", "/portal/quotes/drafts/save/",
                 "/portal/quotes/builder/totals/", "/portal/quotes/builder/add/"):
        assert client.post(path, _basket(catalog, drill=1)).status_code == 403, path


def test_the_quote_page_offers_the_pdf_and_the_decision_and_then_shows_the_order(
        world, catalog, member_client, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        quote = sent_quote(world.members["eng"], tenant_a.users["admin"],
                           [(catalog.drill, 2)])
    eng = member_client(world.members["eng"])
    page = eng.get(f"/portal/quotes/{quote.pk}/").content.decode()
    assert 'id="accept-form"' in page
    assert 'id="reject-form"' in page
    pdf = eng.get(f"/portal/quotes/{quote.pk}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    sib = member_client(world.members["sib"])
    assert sib.get(f"/portal/quotes/{quote.pk}/pdf/").status_code == 404
    assert sib.post(f"/portal/quotes/{quote.pk}/accept/", {"name": "Sib"}).status_code == 404
    # No name: nothing happens, the member is told why.
    eng.post(f"/portal/quotes/{quote.pk}/accept/", {"name": ""})
    with in_tenant(tenant_a):
        assert not Order.objects.filter(quote_id=quote.pk).exists()
    accepted = eng.post(f"/portal/quotes/{quote.pk}/accept/", {"name": "Erin Eng"},
                        follow=True)
    with in_tenant(tenant_a):
        order = Order.objects.get(quote_id=quote.pk)
    html = accepted.content.decode()
    assert order.number in html
    assert 'id="quote-order"' in html
    assert 'id="accept-form"' not in html
    assert "Erin Eng" in html


def test_rejecting_on_the_page_keeps_the_reason(world, catalog, member_client, tenant_a,
                                                in_tenant):
    with in_tenant(tenant_a):
        quote = sent_quote(world.members["eng"], tenant_a.users["admin"], [(catalog.saw, 1)])
    eng = member_client(world.members["eng"])
    eng.post(f"/portal/quotes/{quote.pk}/reject/", {"reason": "Found it cheaper"})
    with in_tenant(tenant_a):
        quote.refresh_from_db()
    assert quote.status == QuoteStatus.REJECTED
    assert quote.rejected_reason == "Found it cheaper"
    assert "Found it cheaper" in eng.get(f"/portal/quotes/{quote.pk}/").content.decode()


def test_each_revision_the_member_may_see_is_listed(world, catalog, member_client, tenant_a,
                                                    in_tenant):
    from crm.quotes.services import quote_revise, quote_send, quote_submit

    with in_tenant(tenant_a):
        admin = tenant_a.users["admin"]
        first = sent_quote(world.members["eng"], admin, [(catalog.drill, 2)])
        second = quote_revise(quote=first, actor=admin)
        hidden_draft = second
        page_before = Quote.objects.get(pk=first.pk)
    eng = member_client(world.members["eng"])
    html = eng.get(f"/portal/quotes/{page_before.pk}/").content.decode()
    # The staff's new draft revision is not shown until it is sent.
    assert f"/portal/quotes/{hidden_draft.pk}/" not in html
    with in_tenant(tenant_a):
        second = quote_send(quote=quote_submit(quote=second, actor=admin), actor=admin)
    html = eng.get(f"/portal/quotes/{second.pk}/").content.decode()
    assert f"/portal/quotes/{first.pk}/" in html
    assert "rev 2" in html
