"""The quote builder in a real browser: the demo engineer finds a product, adds it, types a
quantity and sees the server's totals follow, then submits the quote request (screenshots
in var/screenshots/)."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from tests.e2e.test_portal_browser import _remove_demo_portal

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SKU = "E2E-PUMP-100"


def _cleanup(tenant) -> None:
    from crm.catalog.models import Product

    _remove_demo_portal(tenant)
    with tenant_context(tenant):
        Product.objects.filter(sku=SKU).delete()
    connection.set_schema_to_public()


def test_member_builds_a_quote_with_live_totals_and_submits_it(page, live_app, committed_db,
                                                               django_db_setup):
    from django.conf import settings
    from playwright.sync_api import expect

    from crm.catalog.models import Product
    from crm.quotes.models import Quote, QuoteStatus
    from portal.demo import seed_portal

    alpha = settings._TEST_TENANTS["a"]
    with tenant_context(alpha.tenant):
        seed_portal()
        Product.objects.create(sku=SKU, name="Coolant pump P100", unit="pcs", currency="USD",
                               list_price=Decimal("250.00"), tax_rate=Decimal(13))
    connection.set_schema_to_public()
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(live_app.url(alpha.host, "/portal/login/"))
        page.fill("#id_username", "engineer@customer.test")
        page.fill("#id_password", "demo-pass-123")
        page.click("main button[type=submit]")
        page.wait_for_url(re.compile(r".*/portal/$"))
        page.goto(live_app.url(alpha.host, "/portal/quotes/"))
        page.click("#new-quote")
        page.wait_for_url(re.compile(r".*/portal/quotes/new/$"))
        # Search the catalog as one types; add the pump.
        page.locator("#catalog-search").press_sequentially("pump")
        row = page.locator(f"#catalog-results tr[data-sku='{SKU}']")
        # The server's search answer replaces the list: only the pump is left.
        expect(page.locator("#catalog-results tr[data-sku]")).to_have_count(1)
        expect(row).to_have_count(1)
        row.locator("button").click()
        page.locator(f".basket-line[data-sku='{SKU}']").wait_for()
        total = page.locator("#totals-total")
        # One pump: 250.00 + 13 % tax, as the server's totals service says.
        page.wait_for_function(
            "() => (document.querySelector('#totals-total') || {}).textContent"
            "?.includes('282.50')")
        # Type a quantity: the totals follow without a click.
        quantity = page.locator("#quantity-0")
        quantity.fill("")
        quantity.press_sequentially("12", delay=80)
        page.wait_for_function(
            "() => (document.querySelector('#totals-total') || {}).textContent"
            "?.includes('3,390.00')")
        assert "3,000.00" in page.locator("#totals-subtotal").inner_text()
        page.screenshot(path=str(SHOTS / "portal_quote_builder.png"), full_page=True)
        assert "3,390.00" in total.inner_text()
        page.click("#submit-request")
        page.wait_for_url(re.compile(r".*/portal/quotes/\d+/$"))
        quote_id = int(page.url.rstrip("/").split("/")[-1])
        page.screenshot(path=str(SHOTS / "portal_quote_requested.png"), full_page=True)
        with tenant_context(alpha.tenant):
            quote = Quote.objects.get(pk=quote_id)
            assert quote.status == QuoteStatus.REQUESTED
            assert quote.total == Decimal("3390.00")
            assert quote.requested_by.email == "engineer@customer.test"
        connection.set_schema_to_public()
        assert "3,390.00" in page.locator("main").inner_text()
    except Exception:
        page.screenshot(path=str(SHOTS / "portal_quote_builder_failure.png"), full_page=True)
        raise
    finally:
        _cleanup(alpha.tenant)
