"""Expiry by validity date: the daily beat task, per tenant, with time travel."""

from datetime import timedelta

from django.utils import timezone

from config.schedules import BEAT_SCHEDULE
from crm.quotes.models import Quote, QuoteStatus
from crm.quotes.services import quote_send, quote_submit, quotes_expire
from crm.quotes.tasks import expire_quotes
from tests.crm.quotes.factories import make_quote


def test_sent_and_approved_quotes_expire_after_their_validity_date_only(world):
    today = timezone.localdate()
    sent = quote_submit(quote=make_quote(world, valid_until=today + timedelta(days=3)),
                        actor=world["rep"])
    quote_send(quote=sent, actor=world["rep"])
    approved = quote_submit(quote=make_quote(world, valid_until=today + timedelta(days=5)),
                            actor=world["rep"])
    draft = make_quote(world, valid_until=today + timedelta(days=1))
    assert quotes_expire(today=today + timedelta(days=3)) == 0  # valid through its last day
    assert quotes_expire(today=today + timedelta(days=4)) == 1
    assert Quote.objects.get(pk=sent.pk).status == QuoteStatus.EXPIRED
    assert quotes_expire(today=today + timedelta(days=30)) == 1
    assert Quote.objects.get(pk=approved.pk).status == QuoteStatus.EXPIRED
    assert Quote.objects.get(pk=draft.pk).status == QuoteStatus.DRAFT
    assert quotes_expire(today=today + timedelta(days=31)) == 0  # twice is safe


def test_the_beat_entry_runs_the_task_in_each_tenant(world):
    entry = BEAT_SCHEDULE["crm-quotes-expire"]
    assert entry["task"] == "crm.quotes.tasks.expire_quotes"
    assert "tenant_schemas" not in entry  # per customer tenant (tenants.scheduler)
    sent = quote_submit(quote=make_quote(world), actor=world["rep"])
    quote_send(quote=sent, actor=world["rep"])
    Quote.objects.filter(pk=sent.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1))
    assert expire_quotes.apply().get() == {"expired": 1}
    assert expire_quotes.apply().get() == {"expired": 0}
