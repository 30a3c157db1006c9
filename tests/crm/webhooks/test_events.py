"""The services emit their events through crm.core.events (after commit), with stable JSON:
ids, names, amounts as strings."""

import json
from datetime import date, timedelta
from decimal import Decimal

from crm.accounts.services import account_update
from crm.leads.services import lead_create
from crm.sales.services import default_pipeline, opportunity_create, opportunity_move_stage
from tests.crm.accounts.factories import make_account


def _by_type(caught):
    return {event.type: event for event in caught}


def test_lead_created_is_emitted_after_commit(tenant_a, in_tenant, caught_events,
                                              django_capture_on_commit_callbacks):
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        lead = lead_create(actor=tenant_a.users["rep"], company="Evented Ltd",
                           last_name="Chen", email="chen@evented.example")
        assert caught_events == []
    event = _by_type(caught_events)["lead.created"]
    assert event.schema_name == tenant_a.tenant.schema_name
    assert event.data["lead"]["id"] == lead.pk
    assert event.data["lead"]["company"] == "Evented Ltd"
    assert event.data["lead"]["email"] == "chen@evented.example"
    json.dumps(event.data)  # JSON as it is


def test_account_created_and_updated_only_when_something_changed(
    tenant_a, in_tenant, caught_events, django_capture_on_commit_callbacks
):
    admin = tenant_a.users["admin"]
    with in_tenant(tenant_a):
        with django_capture_on_commit_callbacks(execute=True):
            account = make_account(name="Acme Events", owner=tenant_a.users["rep"])
        assert [event.type for event in caught_events] == ["account.created"]
        assert caught_events[0].data["account"]["name"] == "Acme Events"
        assert caught_events[0].data["account"]["owner"] == tenant_a.users["rep"].pk
        with django_capture_on_commit_callbacks(execute=True):
            account_update(account=account, actor=admin, region="North", city="Shanghai")
            account_update(account=account, actor=admin, city="Shanghai")  # no change
        updated = [event for event in caught_events if event.type == "account.updated"]
        assert len(updated) == 1
        assert updated[0].data["changed"] == ["city", "region"]
        assert updated[0].data["account"]["city"] == "Shanghai"
        json.dumps(updated[0].data)


def test_opportunity_stage_changed_and_won(tenant_a, in_tenant, caught_events,
                                           django_capture_on_commit_callbacks):
    admin = tenant_a.users["admin"]
    with in_tenant(tenant_a):
        account = make_account(name="Deal Events Ltd")
        deal = opportunity_create(account=account, name="Big deal", amount=Decimal("1234.5"),
                                  currency="CNY", close_date=date.today() + timedelta(days=9),
                                  owner=admin, actor=admin)
        pipeline = default_pipeline()
        second = pipeline.stages.filter(is_won=False, is_lost=False).order_by("order")[1]
        won = pipeline.stages.get(is_won=True)
        caught_events.clear()
        with django_capture_on_commit_callbacks(execute=True):
            opportunity_move_stage(opportunity=deal, stage=second, actor=admin,
                                   override_reason="test")
        assert [event.type for event in caught_events] == ["opportunity.stage_changed"]
        moved = caught_events[0].data
        assert moved["from_stage"]["id"] != moved["to_stage"]["id"] == second.pk
        assert moved["opportunity"]["amount"] == "1234.50"
        assert moved["opportunity"]["account"] == {"id": account.pk, "name": "Deal Events Ltd"}
        caught_events.clear()
        with django_capture_on_commit_callbacks(execute=True):
            opportunity_move_stage(opportunity=deal, stage=won, actor=admin,
                                   override_reason="test")
        assert [event.type for event in caught_events] == ["opportunity.stage_changed",
                                                           "opportunity.won"]
        assert caught_events[1].data["opportunity"]["stage"]["is_won"] is True
        json.dumps(caught_events[1].data)


def test_an_event_reaches_a_subscribed_endpoint_through_the_one_path(
    tenant_a, in_tenant, receiver, django_capture_on_commit_callbacks
):
    from crm.webhooks.services import endpoint_create

    with in_tenant(tenant_a):
        endpoint_create(actor=None, url=receiver.url, events=["lead.created"])
        with django_capture_on_commit_callbacks(execute=True):
            lead_create(actor=tenant_a.users["rep"], company="Hooked Ltd", last_name="Wu")
    [request] = receiver.requests
    body = json.loads(request.body)
    assert body["type"] == "lead.created"
    assert body["data"]["lead"]["company"] == "Hooked Ltd"
