"""The quote pages: list (COUNT-free, query budget), detail, the editor with server-side live
totals, the approval inbox, actions, settings, the account panel, isolation."""

from decimal import Decimal

import pytest

from crm.quotes.models import Quote, QuoteStatus
from crm.quotes.services import quote_submit
from tests.crm.quotes.factories import make_quote

D = Decimal


@pytest.fixture
def rep_page(world, client_for):
    return client_for(world["rep"])


def test_list_page_has_a_query_budget_and_no_count(world, rep_page,
                                                   django_assert_max_num_queries):
    for _ in range(8):
        make_quote(world)
    with django_assert_max_num_queries(14) as captured:
        response = rep_page.get("/crm/quotes/")
    assert response.status_code == 200
    assert not any("COUNT(" in query["sql"].upper() for query in captured.captured_queries
                   if "crm_quotes_quote" in query["sql"])
    assert response.content.decode().count("/crm/quotes/") >= 8


def test_detail_shows_lines_totals_and_the_approval_trail(world, rep_page, tenant_a,
                                                          client_for):
    quote = quote_submit(quote=make_quote(world, discount=18), actor=world["rep"])
    page = rep_page.get(f"/crm/quotes/{quote.pk}/").content.decode()
    assert quote.number in page
    assert "工业传感器 S200" in page
    assert "approval-decision" not in page  # the author cannot decide
    manager = client_for(world["manager"])
    assert "approval-decision" in manager.get(f"/crm/quotes/{quote.pk}/").content.decode()
    inbox = manager.get("/crm/quotes/approvals/").content.decode()
    assert quote.number in inbox
    response = manager.post(f"/crm/quotes/{quote.pk}/approve/", {"comment": "ok"})
    assert response.status_code == 302
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.APPROVED


def test_the_editor_creates_a_quote_and_the_totals_come_from_the_server(world, rep_page):
    assert rep_page.get(f"/crm/quotes/new/?account={world['account'].pk}").status_code == 200
    form = {"account": world["account"].pk, "discount_percent": "", "currency": "",
            "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
            "lines-0-product": world["sensor"].pk, "lines-0-quantity": "2",
            "lines-0-discount_percent": "5",
            "lines-1-description": "Freight", "lines-1-quantity": "1",
            "lines-1-unit_price": "100", "lines-1-tax_rate": "0"}
    totals = rep_page.post("/crm/quotes/totals/", form, HTTP_HX_REQUEST="true")
    assert totals.status_code == 200
    body = totals.content.decode()
    # 2 x 1200 x 0.95 = 2280 + 100 = 2380 net; tax 296.40 -> 2676.40
    assert "2,380.00" in body
    assert "2,676.40" in body
    bad = rep_page.post("/crm/quotes/totals/", {**form, "lines-0-quantity": "-3"})
    assert bad.status_code == 200
    assert "2,676.40" not in bad.content.decode()
    saved = rep_page.post("/crm/quotes/new/", form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    quote = Quote.objects.get(account=world["account"])
    assert quote.total == D("2676.40")
    refused = rep_page.post("/crm/quotes/new/", {**form, "lines-0-discount_percent": "120"})
    assert refused.status_code == 400


def test_editing_a_sent_quote_in_the_editor_makes_a_revision(world, rep_page):
    quote = quote_submit(quote=make_quote(world), actor=world["rep"])
    rep_page.post(f"/crm/quotes/{quote.pk}/send/")
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.SENT
    editor = rep_page.get(f"/crm/quotes/{quote.pk}/edit/").content.decode()
    assert "new revision" in editor
    assert 'value="20"' in editor or 'value="2"' in editor
    assert "E+" not in editor
    response = rep_page.post(f"/crm/quotes/{quote.pk}/edit/", {
        "contact": world["contact"].pk, "language": "", "discount_percent": "",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
        "lines-0-product": world["service"].pk, "lines-0-quantity": "1"})
    assert response.status_code == 302
    new = Quote.objects.get(number=quote.number, revision=2)
    assert response["Location"] == f"/crm/quotes/{new.pk}/"
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.SUPERSEDED


def test_an_illegal_action_is_a_message_not_an_error(world, rep_page):
    quote = make_quote(world)
    response = rep_page.post(f"/crm/quotes/{quote.pk}/send/", follow=True)
    assert response.status_code == 200
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.DRAFT


def test_another_reps_and_another_tenants_quotes_are_404(world, tenant_a, tenant_b,
                                                         client_for):
    quote = make_quote(world)
    other = client_for(world["rep2"])
    beta = client_for(tenant_b.users["admin"], tenant_b)
    for client in (other, beta):
        assert client.get(f"/crm/quotes/{quote.pk}/").status_code == 404
        assert client.get(f"/crm/quotes/{quote.pk}/pdf/").status_code == 404
        assert client.post(f"/crm/quotes/{quote.pk}/revise/").status_code == 404


def test_the_account_page_has_a_quotes_panel_and_settings_are_for_admins(world, rep_page,
                                                                         tenant_a,
                                                                         client_for):
    quote = make_quote(world)
    page = rep_page.get(f"/crm/accounts/{world['account'].pk}/").content.decode()
    assert "account-quotes" in page
    assert quote.number in page
    assert rep_page.get("/crm/settings/quotes/").status_code == 403
    admin = client_for(world["admin"])
    response = admin.post("/crm/settings/quotes/", {"validity_days": "21",
                                                    "default_terms": "Net 30",
                                                    "document_address": "1 Main St"})
    assert response.status_code == 302
    assert make_quote(world).terms == "Net 30"


def test_the_sales_settings_overview_links_the_quote_settings(world, client_for):
    page = client_for(world["admin"]).get("/crm/settings/sales/").content.decode()
    assert "/crm/settings/quotes/" in page
