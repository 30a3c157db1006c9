"""Reports in a real browser: the manager's dashboard draws a Chart.js chart per tile, and the
funnel report draws its chart beside the accessible table, whose figure links open the list
behind it. Screenshots go to $SCREENSHOT_DIR when it is set."""

import os
import re
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


def _cleanup(alpha, world) -> None:
    from crm.accounts.models import Account
    from crm.activities.models import Activity
    from crm.core.models import Team
    from crm.leads.models import Lead
    from crm.orders.models import Order
    from crm.quotes.models import Quote
    from crm.receivables.models import Payment
    from crm.sales.models import Opportunity, StageHistory

    with tenant_context(alpha.tenant):
        owners = [user.pk for user in alpha.users.values()]
        deals = Opportunity.objects.filter(name__startswith="Deal ")
        StageHistory.objects.filter(opportunity__in=deals).delete()
        deals.delete()
        Payment.objects.filter(order__number__startswith="O-").delete()
        Order.objects.filter(number__startswith="O-").delete()
        Quote.objects.filter(number__startswith="Q-").delete()
        Lead.objects.filter(company__startswith="Lead ").delete()
        Activity.objects.filter(owner_id__in=owners, subject__regex=r"^(call|visit) ").delete()
        Account.objects.filter(name__startswith="Report account ").delete()
        Team.objects.filter(pk=world.team.pk).delete()
    connection.set_schema_to_public()


def test_manager_dashboard_and_funnel_draw_charts(page, live_app, committed_db,
                                                  django_db_setup):
    from django.conf import settings

    from tests.crm.reports.conftest import PERIOD, build_world

    alpha = settings._TEST_TENANTS["a"]
    with tenant_context(alpha.tenant):
        world = build_world(alpha)
    connection.set_schema_to_public()
    try:
        page.set_viewport_size({"width": 1360, "height": 900})
        page.goto(live_app.url(alpha.host, "/accounts/login/"))
        page.fill("#id_username", "manager@alpha.test")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/crm/$"))

        page.goto(live_app.url(alpha.host, f"/crm/reports/?{PERIOD}"))
        page.wait_for_function(
            "window.Chart && [...document.querySelectorAll('canvas[data-report-chart]')]"
            ".every(c => Chart.getChart(c))")
        tiles = page.locator("canvas[data-report-chart]").count()
        assert tiles >= 4
        assert page.locator(".key-figures").count() >= 3
        _shot(page, "reports-manager-dashboard")

        page.goto(live_app.url(alpha.host, f"/crm/reports/funnel/?{PERIOD}"))
        page.wait_for_function("window.Chart && Chart.getChart(document.querySelector("
                               "'canvas[data-report-chart]'))")
        chart = page.evaluate(
            "(() => { const c = Chart.getChart(document.querySelector("
            "'canvas[data-report-chart]')); return {type: c.config.type, axis: "
            "c.options.indexAxis, labels: c.data.labels, data: c.data.datasets[0].data}; })()")
        assert chart["type"] == "bar"
        assert chart["axis"] == "y"
        assert chart["labels"][0] == "Qualification"
        table_counts = [int(text) for text in page.locator(
            "table tbody tr td:nth-child(3)").all_inner_texts()]
        assert [int(value) for value in chart["data"]] == table_counts
        assert page.locator("canvas[data-report-chart]").first.get_attribute("aria-label")
        _shot(page, "reports-funnel")

        link = page.locator("table tbody tr").first.locator("td:nth-child(3) a")
        figure = int(link.inner_text())
        link.click()
        page.wait_for_url(re.compile(r".*/crm/opportunities/\?.*stage=.*"))
        _shot(page, "reports-funnel-click-through")
        assert figure == table_counts[0]
    finally:
        _cleanup(alpha, world)
