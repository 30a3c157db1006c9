"""An admin registers a webhook on the settings page, copies the secret, sends a ping from
the page and sees it delivered (signed, to a real receiver on loopback) in the log."""

import re

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from tests.crm.webhooks.conftest import documented_verifier, receiver  # noqa: F401

pytestmark = pytest.mark.browser

PASSWORD = "Correct-horse-battery-9"
SHOTS = "/tmp/webhooks-screens"


def test_admin_creates_a_webhook_and_pings_it(page, live_app, committed_db, django_db_setup,
                                              receiver):  # noqa: F811
    from pathlib import Path

    from django.conf import settings

    from crm.core.models import AuditEntry
    from crm.webhooks.models import WebhookEndpoint

    Path(SHOTS).mkdir(exist_ok=True)
    alpha = settings._TEST_TENANTS["a"]
    try:
        page.goto(live_app.url(alpha.host, "/accounts/login/"))
        page.fill("#id_username", "admin@alpha.test")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/crm/$"))

        page.goto(live_app.url(alpha.host, "/crm/settings/webhooks/"))
        page.fill("#id_url", receiver.url)
        page.fill("#id_description", "ERP in the back office")
        page.check("input[name=events][value='account.created']")
        page.check("input[name=events][value='opportunity.won']")
        page.click("#webhook-create button")
        secret = page.inner_text("#new-secret pre").strip()
        assert secret.startswith("whsec_")
        page.screenshot(path=f"{SHOTS}/list.png", full_page=True)

        page.click("#new-secret a")
        page.click("#webhook-test")
        page.wait_for_selector("#delivery-log")
        assert len(receiver.requests) == 1
        request = receiver.requests[0]
        assert documented_verifier()(secret, request.body,
                                     request.headers["Northwind-Signature"])
        page.reload()
        assert "200" in page.inner_text("#delivery-log")
        page.screenshot(path=f"{SHOTS}/detail.png", full_page=True)
    finally:
        with tenant_context(alpha.tenant):
            ids = list(WebhookEndpoint.objects.filter(url=receiver.url)
                       .values_list("pk", flat=True))
            WebhookEndpoint.objects.filter(pk__in=ids).delete()
            AuditEntry.objects.filter(action__startswith="webhook.", object_id__in=ids).delete()
        connection.set_schema_to_public()
