"""The quote editor in a real browser: the totals follow what the rep types (the server
computes them), saving shows the quote with its lines; screenshots go to
$QUOTE_SCREENSHOTS (if set) for a look."""

import os
import re
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

pytestmark = pytest.mark.browser

PASSWORD = "Correct-horse-battery-9"


def _shot(page, name):
    folder = os.environ.get("QUOTE_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_rep_types_a_quote_sees_live_totals_and_saves_it(page, live_app, committed_db):
    from django.conf import settings

    from crm.accounts.models import Account
    from crm.catalog.models import PriceBook, Product
    from crm.quotes.models import Quote
    from tests.crm.accounts.factories import make_account
    from tests.crm.catalog.factories import make_product

    alpha = settings._TEST_TENANTS["a"]
    rep, admin = alpha.users["rep"], alpha.users["admin"]
    tag = uuid.uuid4().hex[:6]
    with tenant_context(alpha.tenant):
        account = make_account(owner=rep, name=f"浏览器测试客户 {tag}")
        product = make_product(actor=admin, sku=f"BR-{tag}", name="工业传感器 S200",
                               currency="USD", list_price=Decimal("1280.00"))
    connection.set_schema_to_public()
    try:
        page.goto(live_app.url(alpha.host, "/accounts/login/"))
        page.fill("#id_username", "rep@alpha.test")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/crm/$"))
        page.goto(live_app.url(alpha.host, f"/crm/quotes/new/?account={account.pk}"))
        page.fill("#id_account", str(account.pk))
        page.select_option("#id_lines-0-product", str(product.pk))
        page.fill("#id_lines-0-quantity", "3")
        page.fill("#id_lines-0-discount_percent", "5")
        page.wait_for_selector("#totals-total")
        # 3 x 1280 x 0.95 = 3648.00 net, 13 % tax 474.24 -> 4122.24
        page.wait_for_function(
            "document.querySelector('#totals-total').textContent.includes('4,122.24')")
        page.fill("#id_lines-0-quantity", "4")
        page.wait_for_function(
            "document.querySelector('#totals-total').textContent.includes('5,496.32')")
        _shot(page, "quote-editor")
        page.click("form#quote-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/crm/quotes/\d+/$"))
        assert "5,496.32" in page.content()
        _shot(page, "quote-detail")
        page.goto(live_app.url(alpha.host, "/crm/quotes/"))
        _shot(page, "quote-list")
    finally:
        with tenant_context(alpha.tenant):
            for quote in Quote.objects.filter(account=account):
                quote.lines.all().delete()
                quote.delete()
            PriceBook.objects.filter(entries__product=product).delete()
            Product.objects.filter(pk=product.pk).delete()
            Account.objects.filter(pk=account.pk).delete()
        connection.set_schema_to_public()
