"""The escalation sweep: a warning before the breach to the assignee, escalation at the
breach to the queue's manager (else the tenant admins), once each; one query when nothing is
due; the Celery task runs inside the tenant's schema."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.core.models import Notification
from crm.service.clocks import clock_first_response, clock_start
from crm.service.models import ServiceQueue, ServiceRequest
from crm.service.services.escalation import sla_escalation_sweep
from tests.crm.accounts.factories import make_account
from tests.crm.service.sla_factories import make_contract, make_policy, make_request

LEAD = timedelta(minutes=60)
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # Tuesday 09:00 in Shanghai


@pytest.fixture
def world(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        account = make_account(name="Escalated Ltd")
        policy = make_policy(name="Office")
        make_contract(account=account, sla_policy=policy)
        queue = ServiceQueue.objects.create(name="Hardware", manager=tenant_a.users["manager"])
        yield {"account": account, "policy": policy, "queue": queue,
               "agent": tenant_a.users["agent"], "manager": tenant_a.users["manager"],
               "admin": tenant_a.users["admin"]}


def _request(world, **fields):
    fields.setdefault("assignee", world["agent"])
    request = make_request(account=world["account"], severity="critical", reported_at=T0,
                           queue=world["queue"], **fields)
    clock_start(request, now=T0, lead=LEAD)
    return request


def _notes(verb):
    return list(Notification.objects.filter(verb=verb).order_by("pk")
                .values_list("recipient_id", flat=True))


def test_warning_then_escalation_fire_once_each(world):
    request = _request(world)  # response due 09:30, resolution due 13:00 (Shanghai)
    assert sla_escalation_sweep(now=T0 - timedelta(minutes=40)).checked == 0
    first = sla_escalation_sweep(now=T0 + timedelta(minutes=1))
    assert (first.warnings, first.escalations) == (1, 0)  # response warning (08:30 ≤ now)
    assert _notes("sla.warning") == [world["agent"].pk]
    again = sla_escalation_sweep(now=T0 + timedelta(minutes=2))
    assert (again.checked, again.warnings, again.escalations) == (0, 0, 0)
    breach = sla_escalation_sweep(now=T0 + timedelta(minutes=31))
    assert (breach.warnings, breach.escalations) == (0, 1)
    assert _notes("sla.breached") == [world["manager"].pk]
    request.refresh_from_db()
    assert request.breached
    assert request.first_response_breached
    assert request.first_response_escalated_at == T0 + timedelta(minutes=31)
    # The resolution clock's warning is next (13:00 - 1 h = 12:00 Shanghai = 04:00 UTC).
    assert request.next_sla_check_at == datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    for minute in range(32, 40):
        assert sla_escalation_sweep(now=T0 + timedelta(minutes=minute)).escalations == 0
    assert len(_notes("sla.breached")) == 1
    late = sla_escalation_sweep(now=datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    assert (late.escalations, late.warnings) == (1, 0)  # resolution: too late to warn
    request.refresh_from_db()
    assert request.next_sla_check_at is None
    assert sla_escalation_sweep(now=datetime(2026, 12, 9, tzinfo=UTC)).checked == 0
    assert len(_notes("sla.breached")) == 2
    assert len(_notes("sla.warning")) == 1


def test_a_stopped_clock_is_not_escalated(world):
    request = _request(world)
    clock_first_response(request, T0 + timedelta(minutes=10), lead=LEAD)
    result = sla_escalation_sweep(now=T0 + timedelta(minutes=45))
    assert result.escalations == 0
    request.refresh_from_db()
    assert not request.breached


def test_without_queue_manager_the_admins_are_told(world):
    world["queue"].manager = None
    world["queue"].save()
    _request(world, assignee=None)
    sla_escalation_sweep(now=T0 + timedelta(minutes=5))
    assert _notes("sla.warning") == [world["admin"].pk]  # unassigned: the manager's fallback
    sla_escalation_sweep(now=T0 + timedelta(minutes=31))
    assert _notes("sla.breached") == [world["admin"].pk]


def test_nothing_due_costs_exactly_one_query(world):
    for _ in range(5):
        _request(world)
    with CaptureQueriesContext(connection) as queries:
        result = sla_escalation_sweep(now=T0 - timedelta(hours=2))
    assert result.checked == 0
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert "next_sla_check_at" in queries[0]["sql"]


def test_the_sweep_query_uses_the_partial_index(world):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        queryset = ServiceRequest.objects.filter(next_sla_check_at__lte=T0).order_by(
            "next_sla_check_at").values_list("pk", flat=True)[:500]
        plan = queryset.explain()
    assert "service_request_sla_check_due" in plan


def test_the_task_sweeps_inside_the_tenant_schema(tenant_a, in_tenant, world):
    from crm.service.sla_tasks import sweep_sla_escalations

    request = _request(world)
    ServiceRequest.objects.filter(pk=request.pk).update(
        first_response_due=datetime(2020, 1, 1, tzinfo=UTC),
        next_sla_check_at=datetime(2020, 1, 1, tzinfo=UTC))
    result = sweep_sla_escalations.delay().get()
    assert result["escalations"] == 2  # both clocks are long past due by now
    assert sweep_sla_escalations.delay().get()["escalations"] == 0
