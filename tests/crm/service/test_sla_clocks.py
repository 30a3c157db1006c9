"""SLA clocks on real ServiceRequest rows: due times from reported_at in business time, the
first public reply stops the response clock, waiting on the customer pauses the resolution
clock and resuming adds exactly the paused business time; next_sla_check_at and the breach
flags follow."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm.service.business_time import business_time_between
from crm.service.clocks import (
    clock_first_response,
    clock_pause,
    clock_refresh,
    clock_reopen,
    clock_resolve,
    clock_resume,
    clock_start,
)
from crm.service.models import ServiceRequest, SlaSettings
from tests.crm.accounts.factories import make_account
from tests.crm.service.sla_factories import make_contract, make_policy, make_request

SH = ZoneInfo("Asia/Shanghai")
LEAD = timedelta(minutes=60)


def sh(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def world(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        account = make_account(name="Clocked Ltd")
        policy = make_policy(name="Office", holidays=["2026-12-25"])
        make_contract(account=account, sla_policy=policy)
        yield {"account": account, "policy": policy}


def _fresh(request):
    return ServiceRequest.objects.get(pk=request.pk)


def test_start_sets_policy_and_due_times_in_business_time(world):
    # Thursday 24 December 17:00: 30 min response ends Thursday 17:30; 240 min resolution
    # runs 1 h on Thursday, skips Christmas and the weekend, ends Monday 12:00.
    request = make_request(account=world["account"], severity="critical",
                           reported_at=sh(2026, 12, 24, 17, 0))
    changed = clock_start(request, now=sh(2026, 12, 24, 17, 1), lead=LEAD)
    request = _fresh(request)
    assert "first_response_due" in changed
    assert request.sla_policy == world["policy"]
    assert request.first_response_due == sh(2026, 12, 24, 17, 30)
    assert request.resolution_due == sh(2026, 12, 28, 12, 0)
    assert request.next_sla_check_at == sh(2026, 12, 24, 16, 30)  # the response warning
    assert not request.breached


def test_a_request_entered_late_is_breached_at_once(world):
    request = make_request(account=world["account"], severity="critical",
                           reported_at=sh(2026, 12, 1, 9, 0))
    clock_start(request, now=sh(2026, 12, 1, 12, 0), lead=LEAD)
    request = _fresh(request)
    assert request.first_response_breached
    assert request.breached
    assert not request.resolution_breached
    # Still pending: the sweep must warn/escalate, so the check time is in the past.
    assert request.next_sla_check_at <= sh(2026, 12, 1, 12, 0)


def test_without_policy_or_target_there_is_no_clock(world, tenant_a):
    world["policy"].targets = [t for t in world["policy"].targets if t["severity"] != "low"]
    world["policy"].save()
    request = make_request(account=world["account"], severity="low",
                           reported_at=sh(2026, 12, 1, 9, 0))
    clock_start(request, lead=LEAD)
    request = _fresh(request)
    assert (request.first_response_due, request.resolution_due, request.next_sla_check_at) == (
        None, None, None)
    lonely = make_request(account=make_account(name="Uncovered"), reported_at=sh(2026, 12, 1))
    clock_start(lonely, lead=LEAD)
    assert _fresh(lonely).sla_policy is None


def test_first_public_reply_stops_the_response_clock_once(world):
    request = make_request(account=world["account"], severity="high",
                           reported_at=sh(2026, 12, 1, 9, 0))
    clock_start(request, now=sh(2026, 12, 1, 9, 0), lead=LEAD)
    clock_first_response(request, sh(2026, 12, 1, 9, 45), lead=LEAD)
    clock_first_response(request, sh(2026, 12, 1, 11, 0), lead=LEAD)
    request = _fresh(request)
    assert request.first_response_at == sh(2026, 12, 1, 9, 45)
    assert not request.first_response_breached
    # Only the resolution clock is left: its warning an hour before 18:00.
    assert request.resolution_due == sh(2026, 12, 1, 18, 0)
    assert request.next_sla_check_at == sh(2026, 12, 1, 17, 0)


def test_a_late_first_response_is_a_breach(world):
    request = make_request(account=world["account"], severity="critical",
                           reported_at=sh(2026, 12, 1, 9, 0))
    clock_start(request, now=sh(2026, 12, 1, 9, 0), lead=LEAD)
    clock_first_response(request, sh(2026, 12, 1, 9, 31), lead=LEAD)
    assert _fresh(request).first_response_breached
    assert _fresh(request).breached


def test_pause_and_resume_add_exactly_the_paused_business_time(world):
    request = make_request(account=world["account"], severity="normal",
                           reported_at=sh(2026, 12, 1, 9, 0))  # 1080 min = 2 business days
    clock_start(request, now=sh(2026, 12, 1, 9, 0), lead=LEAD)
    clock_first_response(request, sh(2026, 12, 1, 10, 0), lead=LEAD)
    due_before = _fresh(request).resolution_due
    assert due_before == sh(2026, 12, 2, 18, 0)
    clock_pause(request, sh(2026, 12, 1, 16, 0), lead=LEAD)
    paused = _fresh(request)
    assert paused.paused_at == sh(2026, 12, 1, 16, 0)
    assert paused.next_sla_check_at is None  # nothing runs while waiting on the customer
    clock_pause(request, sh(2026, 12, 1, 17, 0), lead=LEAD)  # a second pause is ignored
    clock_resume(request, sh(2026, 12, 2, 10, 30), lead=LEAD)  # 2 h + 1.5 h business time
    request = _fresh(request)
    assert request.paused_at is None
    assert business_time_between(world["policy"], due_before, request.resolution_due) == \
        timedelta(hours=3, minutes=30)
    assert request.resolution_due == sh(2026, 12, 3, 12, 30)
    assert request.next_sla_check_at == sh(2026, 12, 3, 11, 30)


def test_resolving_stops_everything_and_judges_the_target(world):
    request = make_request(account=world["account"], severity="critical",
                           reported_at=sh(2026, 12, 1, 9, 0))
    clock_start(request, now=sh(2026, 12, 1, 9, 0), lead=LEAD)
    clock_first_response(request, sh(2026, 12, 1, 9, 10), lead=LEAD)
    clock_resolve(request, sh(2026, 12, 1, 13, 30), lead=LEAD)
    request = _fresh(request)
    assert request.resolved_at == sh(2026, 12, 1, 13, 30)
    assert request.resolution_breached
    assert request.breached
    assert request.next_sla_check_at is None


def test_resolving_while_paused_does_not_count_the_pause(world):
    request = make_request(account=world["account"], severity="critical",
                           reported_at=sh(2026, 12, 1, 9, 0))  # resolution due 13:00
    clock_start(request, now=sh(2026, 12, 1, 9, 0), lead=LEAD)
    clock_first_response(request, sh(2026, 12, 1, 9, 10), lead=LEAD)
    clock_pause(request, sh(2026, 12, 1, 10, 0), lead=LEAD)
    clock_resolve(request, sh(2026, 12, 1, 15, 0), lead=LEAD)
    request = _fresh(request)
    assert request.resolution_due == sh(2026, 12, 1, 18, 0)
    assert not request.resolution_breached
    assert not request.breached


def test_reopen_restarts_the_resolution_clock_with_the_resolved_time_added(world):
    request = make_request(account=world["account"], severity="critical",
                           reported_at=sh(2026, 12, 1, 9, 0))
    clock_start(request, now=sh(2026, 12, 1, 9, 0), lead=LEAD)
    clock_first_response(request, sh(2026, 12, 1, 9, 10), lead=LEAD)
    clock_resolve(request, sh(2026, 12, 1, 11, 0), lead=LEAD)
    clock_reopen(request, sh(2026, 12, 2, 9, 0), lead=LEAD)
    request = _fresh(request)
    assert request.resolved_at is None
    # 11:00 to 18:00 resolved (7 business hours) added to 13:00 → next day 11:00.
    assert request.resolution_due == sh(2026, 12, 2, 11, 0)
    assert request.next_sla_check_at == sh(2026, 12, 2, 10, 0)


def test_refresh_uses_the_tenant_lead_time_and_zero_turns_warnings_off(world):
    settings = SlaSettings.objects.first() or SlaSettings.objects.create()
    settings.warning_lead_minutes = 0
    settings.save()
    request = make_request(account=world["account"], severity="critical",
                           reported_at=sh(2026, 12, 1, 9, 0))
    clock_start(request, now=sh(2026, 12, 1, 9, 0))
    assert _fresh(request).next_sla_check_at == sh(2026, 12, 1, 9, 30)
    settings.warning_lead_minutes = 15
    settings.save()
    clock_refresh(request, now=sh(2026, 12, 1, 9, 0))
    assert _fresh(request).next_sla_check_at == sh(2026, 12, 1, 9, 15)


def test_unsaved_requests_are_not_saved(world):
    request = ServiceRequest(account=world["account"], number="SR-X", subject="x",
                             severity="high", reported_at=datetime(2026, 12, 1, 1, tzinfo=UTC))
    clock_start(request, lead=LEAD)
    assert request.pk is None
    assert request.first_response_due is not None
