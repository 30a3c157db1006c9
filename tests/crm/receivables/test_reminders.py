"""Reminders before and after due dates (tenant-set days) go to the owner and to finance,
once each, from the beat task sent per tenant."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from config.schedules import BEAT_SCHEDULE
from crm.core.models import Notification
from crm.receivables.services import (
    payment_record,
    receivable_reminders_send,
    receivables_settings_update,
)
from crm.receivables.tasks import send_receivable_reminders
from tests.crm.accounts.factories import make_account
from tests.crm.receivables.factories import make_order, make_schedule

DUE = date(2026, 6, 15)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


@pytest.fixture
def due(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        admin, rep = tenant_a.users["admin"], tenant_a.users["rep"]
        receivables_settings_update(actor=admin, remind_days_before=3, remind_days_after=7)
        account = make_account(name="Reminder Ltd", owner=rep)
        order = make_order(account=account, actor=admin, owner=rep, total="500.00")
        (instalment,) = make_schedule(order=order, actor=admin, plan=[(DUE, "500.00")])
        yield {"admin": admin, "rep": rep, "order": order, "instalment": instalment}


def _reminders(verb):
    return sorted(Notification.objects.filter(verb=verb).values_list("recipient__email",
                                                                     flat=True))


def test_the_before_reminder_goes_once_to_owner_and_finance(due, tenant_a):
    assert receivable_reminders_send(now=_at(DUE - timedelta(days=4))).before == 0
    first = receivable_reminders_send(now=_at(DUE - timedelta(days=3)))
    again = receivable_reminders_send(now=_at(DUE - timedelta(days=1)))
    assert (first.before, again.before) == (1, 0)
    assert _reminders("receivable_due") == sorted([due["rep"].email, due["admin"].email])


def test_the_after_reminder_goes_once_after_the_set_days(due):
    assert receivable_reminders_send(now=_at(DUE + timedelta(days=6))).after == 0
    assert receivable_reminders_send(now=_at(DUE + timedelta(days=7))).after == 1
    assert receivable_reminders_send(now=_at(DUE + timedelta(days=30))).after == 0
    assert _reminders("receivable_overdue") == sorted([due["rep"].email,
                                                       due["admin"].email])
    message = Notification.objects.filter(verb="receivable_overdue").first().message
    assert due["order"].number in message
    assert "500.00" in message


def test_paid_instalments_are_not_reminded(due):
    payment_record(order=due["order"], instalment=due["instalment"], amount=Decimal(500),
                   paid_on=DUE, actor=due["admin"])
    result = receivable_reminders_send(now=_at(DUE + timedelta(days=10)))
    assert (result.before, result.after) == (0, 0)


def test_empty_days_switch_a_reminder_off(due):
    receivables_settings_update(actor=due["admin"], remind_days_before=None,
                                remind_days_after=None)
    result = receivable_reminders_send(now=_at(DUE + timedelta(days=10)))
    assert (result.before, result.after) == (0, 0)


def test_the_beat_task_runs_per_tenant_and_is_hourly(due):
    entry = BEAT_SCHEDULE["crm-receivables-reminders"]
    assert entry["task"] == "crm.receivables.tasks.send_receivable_reminders"
    assert "tenant_schemas" not in entry  # sent into every customer tenant
    # Today is long after DUE: the after-reminder is due, the before one is not.
    assert send_receivable_reminders() == {"before": 0, "after": 1}
    assert send_receivable_reminders() == {"before": 0, "after": 0}
