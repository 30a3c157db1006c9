"""The inquiry form in a real browser: a visitor opens the contact page, fills the form,
waits like a person and sends it; the page shows the reference; the lead exists."""

import re

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

pytestmark = pytest.mark.browser


def test_visitor_sends_an_inquiry_and_sees_the_reference(
    page, live_app, committed_db, django_db_setup, tmp_path
):
    from django.conf import settings

    from portal.inquiries.models import Inquiry

    alpha = settings._TEST_TENANTS["a"]
    email = "browser.visitor@inquiry-e2e.example"
    try:
        page.set_viewport_size({"width": 1200, "height": 1000})
        page.goto(live_app.url(alpha.host, "/contact/"))
        page.fill("#id_name", "Mei Chen")
        page.fill("#id_company", "Chen Precision Parts")
        page.fill("#id_email", email)
        page.fill("#id_phone", "+86 21 5555 0123")
        page.fill("#id_product_interest", "Gateway G10")
        page.fill("#id_message", "We need 40 gateways for two plants. Please send a quote.")
        # The honeypot is in the page (bots fill it) but off-screen for people.
        box = page.locator("#id_website").bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= 0
        page.screenshot(path=str(tmp_path / "inquiry-form.png"), full_page=True)
        page.wait_for_timeout(3500)  # the form's minimum time (people take longer)
        page.click("#inquiry-submit")
        page.wait_for_selector("#inquiry-reference")
        reference = page.inner_text("#inquiry-reference").strip()
        assert re.fullmatch(r"INQ-\d{4}-\d{5}", reference)
        page.screenshot(path=str(tmp_path / "inquiry-sent.png"), full_page=True)
        print(f"screenshots: {tmp_path}")
        with tenant_context(alpha.tenant):
            inquiry = Inquiry.objects.select_related("lead").get(reference=reference)
            assert inquiry.email == email
            assert inquiry.lead.source == "portal_inquiry"
        connection.set_schema_to_public()
    finally:
        with tenant_context(alpha.tenant):
            for inquiry in Inquiry.objects.filter(email=email).select_related("lead"):
                lead = inquiry.lead
                inquiry.delete()
                lead.delete()
        connection.set_schema_to_public()


def test_portal_home_and_knowledge_base_search_in_the_browser(
    page, live_app, committed_db, django_db_setup, tmp_path
):
    from django.conf import settings

    alpha = settings._TEST_TENANTS["a"]
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(live_app.url(alpha.host, "/"))
    assert page.locator(".portal-nav a", has_text="Knowledge base").count() == 1
    page.screenshot(path=str(tmp_path / "portal-home.png"), full_page=True)
    page.click(".portal-nav >> text=Knowledge base")
    page.fill("#kb-q", "warranty")
    page.click(".portal-search button")
    page.wait_for_selector("#kb-results")
    assert page.locator("#kb-results a", has_text="Maintenance and warranty").count() == 1
    page.screenshot(path=str(tmp_path / "kb-search.png"), full_page=True)
