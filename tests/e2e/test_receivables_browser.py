"""Receivables and expenses in a real browser: the aging chart is drawn beside its table,
a figure's link opens the instalments behind it with the same total, the order's schedule
page and the expense pages render. Screenshots go to $SCREENSHOT_DIR when it is set."""

import os
import re
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

pytestmark = pytest.mark.browser

PASSWORD = "Correct-horse-battery-9"


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _seed(alpha):
    from crm.expenses.services import expense_create, expense_submit
    from crm.receivables.selectors import tenant_today
    from crm.receivables.services import InstalmentInput, payment_record, schedule_set
    from tests.crm.accounts.factories import make_account
    from tests.crm.receivables.factories import make_order

    admin, rep, rep2 = (alpha.users[k] for k in ("admin", "rep", "rep2"))
    today = tenant_today()
    tag = uuid.uuid4().hex[:6]
    accounts, orders = [], []
    for index, (owner, offsets) in enumerate([(rep, [-120, -70, -40, -10, 15]),
                                              (rep2, [-95, -50, -20, 5]),
                                              (None, [-35, 25])]):
        account = make_account(name=f"Aging Browser {tag} {index}", owner=owner)
        order = make_order(account=account, actor=admin, owner=owner,
                           total=str(1000 * len(offsets)))
        schedule_set(order=order, actor=admin, instalments=[
            InstalmentInput(due_on=today + timedelta(days=offset), amount=Decimal(1000))
            for offset in offsets])
        accounts.append(account)
        orders.append(order)
    payment_record(order=orders[0], amount=Decimal(1400), paid_on=today, actor=admin)
    expense = expense_submit(expense=expense_create(
        actor=rep, amount=Decimal("388.00"), currency=alpha.tenant.currency,
        category="meals", spent_on=today, description=f"Browser dinner {tag}"), actor=rep)
    return {"accounts": accounts, "orders": orders, "expense": expense}


def _cleanup(alpha, seeded):
    from crm.accounts.models import Account
    from crm.core.models import Approval
    from crm.expenses.models import Expense
    from crm.orders.models import Order
    from crm.receivables.models import Payment

    with tenant_context(alpha.tenant):
        Approval.objects.filter(object_id=seeded["expense"].pk).delete()
        Expense.objects.filter(pk=seeded["expense"].pk).delete()
        ids = [order.pk for order in seeded["orders"]]
        Payment.objects.filter(order_id__in=ids).delete()
        Order.objects.filter(pk__in=ids).delete()
        Account.objects.filter(pk__in=[a.pk for a in seeded["accounts"]]).delete()
    connection.set_schema_to_public()


def test_aging_chart_table_and_click_through(page, live_app, committed_db, django_db_setup):
    from django.conf import settings

    alpha = settings._TEST_TENANTS["a"]
    with tenant_context(alpha.tenant):
        seeded = _seed(alpha)
    connection.set_schema_to_public()
    try:
        page.set_viewport_size({"width": 1360, "height": 900})
        page.goto(live_app.url(alpha.host, "/accounts/login/"))
        page.fill("#id_username", "admin@alpha.test")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/crm/$"))

        page.goto(live_app.url(alpha.host, "/crm/receivables/"))
        page.wait_for_function("window.Chart && Chart.getChart(document.querySelector("
                               "'canvas.aging-chart'))")
        drawn = page.evaluate("Chart.getChart(document.querySelector('canvas.aging-chart'))"
                              ".data.datasets.length")
        assert drawn == 5
        _shot(page, "receivables-aging-by-rep")
        page.goto(live_app.url(alpha.host, "/crm/receivables/?group_by=account"))
        _shot(page, "receivables-aging-by-account")

        link = page.locator("tbody a[href*='bucket=90_plus']").first
        figure = link.inner_text()
        link.click()
        page.wait_for_url(re.compile(r".*/crm/receivables/instalments/.*"))
        assert page.locator("tfoot strong").first.inner_text() == figure
        _shot(page, "receivables-instalments")

        page.goto(live_app.url(alpha.host,
                               f"/crm/receivables/orders/{seeded['orders'][0].pk}/"))
        assert page.locator("h1").inner_text().startswith("Payment schedule of")
        _shot(page, "receivables-order")

        page.goto(live_app.url(alpha.host, "/crm/expenses/"))
        _shot(page, "expenses-list")
        page.goto(live_app.url(alpha.host, f"/crm/expenses/{seeded['expense'].pk}/"))
        assert "Approval trail" in page.content()
        _shot(page, "expenses-detail")
        page.goto(live_app.url(alpha.host, "/crm/expenses/new/"))
        _shot(page, "expenses-form")
    finally:
        _cleanup(alpha, seeded)
