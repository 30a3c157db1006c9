"""Contract renewal reminders: once per contract, within the tenant's lead days, to the
owner, sent from the per-tenant beat task; drafts and superseded revisions are not
reminded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.schedules import BEAT_SCHEDULE
from crm.core.models import Notification
from crm.orders.models import Order, OrderKind
from crm.orders.services import (
    contract_renewal_reminders_send,
    order_amend,
    order_approve,
    order_submit,
)
from crm.orders.services.settings import order_settings_update
from crm.orders.tasks import send_contract_renewal_reminders
from tests.crm.orders.factories import make_order


@pytest.fixture
def contracts(world, in_tenant):
    with in_tenant(world["tenant"]):
        today = timezone.localdate()

        def contract(days: int, *, approve: bool = True) -> Order:
            order = make_order(account=world["account"], actor=world["rep"],
                               kind=OrderKind.CONTRACT, starts_on=today - timedelta(days=300),
                               ends_on=today + timedelta(days=days))
            if approve:
                order = order_approve(order=order_submit(order=order, actor=world["rep"]),
                                      actor=world["manager"])
            return order

        yield {**world, "today": today, "contract": contract}


def _reminders(world):
    return Notification.objects.filter(recipient=world["rep"], verb="order.renewal_due")


def test_the_owner_is_reminded_once_within_the_lead(contracts):
    soon = contracts["contract"](10)
    contracts["contract"](90)  # beyond the default 30 days
    contracts["contract"](5, approve=False)  # a draft is no contract yet
    assert soon.renewal_on == contracts["today"] + timedelta(days=10)
    assert contract_renewal_reminders_send(today=contracts["today"]).reminded == 1
    assert [n.object_id for n in _reminders(contracts)] == [soon.pk]
    assert soon.display_number in _reminders(contracts).get().message
    assert contract_renewal_reminders_send(today=contracts["today"]).reminded == 0
    assert _reminders(contracts).count() == 1


def test_the_lead_is_a_tenant_setting(contracts):
    later = contracts["contract"](60)
    assert contract_renewal_reminders_send(today=contracts["today"]).reminded == 0
    order_settings_update(actor=contracts["admin"], renewal_lead_days=90)
    assert contract_renewal_reminders_send(today=contracts["today"]).reminded == 1
    later.refresh_from_db()
    assert later.renewal_reminded_at is not None


def test_an_amendment_keeps_the_reminder_and_the_beat_task_runs_per_tenant(contracts):
    soon = contracts["contract"](10)
    assert send_contract_renewal_reminders() == {"reminded": 1}
    amendment = order_approve(order=order_submit(
        order=order_amend(order=soon, actor=contracts["rep"]), actor=contracts["rep"]),
        actor=contracts["manager"])
    assert amendment.renewal_reminded_at is not None
    assert send_contract_renewal_reminders() == {"reminded": 0}
    entry = BEAT_SCHEDULE["crm-orders-renewal-reminders"]
    assert entry["task"] == "crm.orders.tasks.send_contract_renewal_reminders"
    assert "tenant_schemas" not in entry  # sent into every customer tenant
