"""The member area in a real browser: the portal sign-in and the dashboard of the demo
customer admin (screenshots in var/screenshots/)."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _remove_demo_portal(tenant) -> None:
    from crm.accounts.models import Account, Contact
    from crm.quotes.models import Quote
    from crm.service.models import Asset, ServiceRequest
    from portal.demo import BRANCHES, HEAD_OFFICE
    from portal.models import PortalMembership, PortalRegistration, PortalSettings
    from tenants.users.models import User

    with tenant_context(tenant):
        names = [HEAD_OFFICE, *BRANCHES]
        accounts = Account.objects.filter(name__in=names)
        ServiceRequest.objects.filter(account__in=accounts).delete()
        Asset.objects.filter(account__in=accounts).delete()
        Quote.objects.filter(account__in=accounts).delete()
        PortalMembership.objects.filter(account__in=accounts).delete()
        PortalRegistration.objects.filter(email__endswith="@customer.test").delete()
        User.objects.filter(email__endswith="@customer.test").delete()
        Contact.objects.filter(account__in=accounts).delete()
        Account.objects.filter(name__in=BRANCHES).delete()
        Account.objects.filter(name=HEAD_OFFICE).delete()
        PortalSettings.objects.filter(pk=1).delete()
    connection.set_schema_to_public()


def test_customer_admin_signs_in_and_sees_the_dashboard(page, live_app, committed_db,
                                                        django_db_setup):
    from django.conf import settings

    from portal.demo import seed_portal

    alpha = settings._TEST_TENANTS["a"]
    with tenant_context(alpha.tenant):
        seed_portal()
    connection.set_schema_to_public()
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(live_app.url(alpha.host, "/portal/login/"))
        page.screenshot(path=str(SHOTS / "portal_login.png"), full_page=True)
        page.fill("#id_username", "buyer@customer.test")
        page.fill("#id_password", "demo-pass-123")
        page.click("main button[type=submit]")
        page.wait_for_url(re.compile(r".*/portal/$"))
        assert page.locator("[data-count=assets]").inner_text() == "4"
        assert page.locator("[data-count=quotes]").inner_text() == "5"
        page.screenshot(path=str(SHOTS / "portal_dashboard.png"), full_page=True)
        page.click("nav a[href='/portal/assets/']")
        page.wait_for_url(re.compile(r".*/portal/assets/$"))
        assert page.locator("text=ACME-1002").count() == 1
        page.screenshot(path=str(SHOTS / "portal_assets.png"), full_page=True)
        # The language switch in the site's top bar, remembered on the member.
        page.goto(live_app.url(alpha.host, "/portal/"))
        page.select_option("#language-select", "zh-hans")
        page.wait_for_selector("html[lang='zh-hans']")
        page.screenshot(path=str(SHOTS / "portal_dashboard_zh.png"), full_page=True)
    finally:
        _remove_demo_portal(alpha.tenant)
