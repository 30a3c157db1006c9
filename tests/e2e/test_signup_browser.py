import re

import pytest
from django.db import connection

from tenants.models import Tenant
from tenants.provisioning.services import tenant_discard

pytestmark = pytest.mark.browser


def test_sign_up_in_the_browser_ends_on_the_new_tenants_login(page, live_app, committed_db):
    try:
        page.goto(live_app.url("localhost", "/signup/"))
        page.fill("#id_name", "Omega Robotics")
        page.fill("#id_slug", "omega-robotics")
        page.wait_for_selector("#slug-check :text('omega-robotics.localhost')")
        page.fill("#id_admin_email", "founder@omega.test")
        page.fill("#id_admin_password", "Omega-password-2026")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"http://omega-robotics\.localhost:\d+/accounts/login/.*"))
        assert page.input_value("#id_username") == "founder@omega.test"

        page.fill("#id_password", "Omega-password-2026")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/crm/$"))
        assert "Omega Robotics" in page.content()
    finally:
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(slug="omega-robotics"):
            tenant_discard(tenant=tenant)
