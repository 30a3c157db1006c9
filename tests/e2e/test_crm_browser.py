"""The sales flow in a real browser: log in, convert a lead, drag its deal to the next
stage on the Kanban board."""

import re
import uuid

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

pytestmark = pytest.mark.browser

PASSWORD = "Correct-horse-battery-9"


def _cleanup(tenant, lead_id):
    from crm.accounts.models import Account
    from crm.leads.models import Lead
    from crm.sales.models import Opportunity

    with tenant_context(tenant):
        lead = Lead.objects.filter(pk=lead_id).first()
        if lead is None:
            return
        account_id = lead.converted_account_id
        opportunity_id = lead.converted_opportunity_id
        lead.delete()
        Opportunity.objects.filter(pk=opportunity_id).delete()
        if account_id:
            Account.objects.filter(pk=account_id).delete()  # contacts cascade
    connection.set_schema_to_public()


def test_rep_converts_a_lead_and_drags_the_deal_to_the_next_stage(
    page, live_app, committed_db, django_db_setup
):
    from django.conf import settings

    from crm.leads.services.leads import lead_create
    from crm.sales.models import KeyAction, Opportunity, Stage
    from crm.sales.services import key_action_complete

    alpha = settings._TEST_TENANTS["a"]
    rep = alpha.users["rep"]
    company = f"Browser Test Works {uuid.uuid4().hex[:6]}"
    with tenant_context(alpha.tenant):
        lead = lead_create(actor=rep, company=company, first_name="Lin", last_name="Wei",
                           email=f"lin.wei@{uuid.uuid4().hex[:6]}.example", source="manual")
        lead_id = lead.pk
    connection.set_schema_to_public()
    try:
        page.goto(live_app.url(alpha.host, "/accounts/login/"))
        page.fill("#id_username", "rep@alpha.test")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/crm/$"))

        page.goto(live_app.url(alpha.host, f"/crm/leads/{lead_id}/convert/"))
        page.check("input[name=account][value=new]")
        page.check("input[name=create_opportunity]")
        page.click("#convert-submit")
        link = page.wait_for_selector("#converted-opportunity")
        opportunity_id = int(re.search(r"/opportunities/(\d+)/", link.get_attribute("href"))[1])

        with tenant_context(alpha.tenant):
            opportunity = Opportunity.objects.select_related("stage").get(pk=opportunity_id)
            for key_action in KeyAction.objects.filter(stage=opportunity.stage):
                key_action_complete(opportunity=opportunity, key_action=key_action, actor=rep)
            next_stage = (Stage.objects.filter(pipeline=opportunity.pipeline,
                                               order__gt=opportunity.stage.order)
                          .order_by("order").first())
        connection.set_schema_to_public()

        page.goto(live_app.url(alpha.host, f"/crm/pipelines/{opportunity.pipeline_id}/board/"))
        card = page.locator(f"#opportunity-{opportunity_id}")
        target = page.locator(f"#dropzone-{next_stage.pk}")
        card.scroll_into_view_if_needed()
        box = card.bounding_box()
        target_box = target.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 + 10, box["y"] + box["height"] / 2 + 10,
                        steps=5)
        page.mouse.move(target_box["x"] + target_box["width"] / 2, target_box["y"] + 20,
                        steps=20)
        page.mouse.up()
        page.wait_for_selector(
            f"#dropzone-{next_stage.pk} #opportunity-{opportunity_id}"
            f"[data-stage-id='{next_stage.pk}']"
        )
        with tenant_context(alpha.tenant):
            assert Opportunity.objects.get(pk=opportunity_id).stage_id == next_stage.pk
        connection.set_schema_to_public()
    finally:
        _cleanup(alpha.tenant, lead_id)
