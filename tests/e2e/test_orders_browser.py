"""Orders in a real browser: the rep's order waits in the manager's approvals inbox, the
manager opens it, approves it with a comment on the detail page and sees the trail; then
records a delivery with serial numbers. Screenshots go to ORDERS_SCREENSHOTS (if set)."""

import os
import re
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

pytestmark = pytest.mark.browser

PASSWORD = "Correct-horse-battery-9"


def _shot(page, name: str) -> None:
    folder = os.environ.get("ORDERS_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_manager_approves_from_the_inbox_and_the_rep_delivers(
        page, live_app, committed_db, django_db_setup):
    from django.conf import settings

    from crm.accounts.models import Account
    from crm.catalog.models import Product
    from crm.core.models import Team
    from crm.orders.models import Order
    from crm.orders.selectors import tenant_currency
    from crm.orders.services import OrderLineInput, order_create, order_submit
    from crm.service.models import Asset

    alpha = settings._TEST_TENANTS["a"]
    rep, manager = alpha.users["rep"], alpha.users["manager"]
    tag = uuid.uuid4().hex[:6]
    with tenant_context(alpha.tenant):
        team = Team.objects.create(name=f"Browser East {tag}")
        team.managers.set([manager])
        team.members.set([rep])
        account = Account.objects.create(name=f"Browser Orders {tag} 有限公司", owner=rep)
        product = Product.objects.create(sku=f"BR-{tag}", name="工业传感器 S200",
                                         currency=tenant_currency(), list_price=Decimal(1280),
                                         tax_rate=Decimal(13), serialized=True)
        order = order_create(account=account, actor=rep, currency=tenant_currency(),
                             delivery_terms="EXW 上海", payment_terms="30 天",
                             lines=[OrderLineInput(product=product, description=product.name,
                                                   quantity=Decimal(3),
                                                   unit_price=Decimal(1280),
                                                   tax_rate=Decimal(13)),
                                    OrderLineInput(description="现场安装服务",
                                                   quantity=Decimal(1),
                                                   unit_price=Decimal(800))])
        order_submit(order=order, actor=rep)
        order_id = order.pk
    connection.set_schema_to_public()
    try:
        page.goto(live_app.url(alpha.host, "/accounts/login/"))
        page.fill("#id_username", manager.email)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/crm/$"))
        page.goto(live_app.url(alpha.host, "/crm/orders/approvals/"))
        _shot(page, "orders_inbox")
        page.click(f"tr[data-order-id='{order_id}'] a")
        page.wait_for_url(re.compile(rf".*/crm/orders/{order_id}/$"))
        page.fill("form[action$='/approve/'] textarea", "价格已确认")
        page.click("form[action$='/approve/'] button[type=submit]")
        page.wait_for_selector("#approval-trail tr[data-decision='approved']")
        assert "价格已确认" in page.inner_text("#approval-trail")
        page.locator("input[name^='quantity_']").first.fill("2")
        page.locator("textarea[name^='serials_']").first.fill("BR-1\nBR-2")
        page.locator("#delivery-form button[type=submit]").click()
        page.wait_for_selector("[data-status='partly_delivered']")
        _shot(page, "orders_detail")
        page.goto(live_app.url(alpha.host, "/crm/orders/"))
        _shot(page, "orders_list")
        with tenant_context(alpha.tenant):
            assert Asset.objects.filter(order_line__order_id=order_id).count() == 2
    finally:
        with tenant_context(alpha.tenant):
            Asset.objects.filter(order_line__order_id=order_id).delete()
            Order.objects.filter(pk=order_id).delete()
            Product.objects.filter(sku=f"BR-{tag}").delete()
            Account.objects.filter(pk=account.pk).delete()
            Team.objects.filter(pk=team.pk).delete()
        connection.set_schema_to_public()
