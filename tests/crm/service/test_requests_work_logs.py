"""Work logs: time, kind and catalog parts; on a request covered by a contract with an
allowance the work draws it down through the contracts service (hours: the time spent,
visits: one per on-site visit)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from crm.service.models import ServiceContract
from crm.service.services import PartUsed, work_log_add
from tests.crm.catalog.factories import make_product
from tests.crm.service.service_factories import new_request


@pytest.fixture
def hours_contract(service_world):
    today = timezone.localdate()
    return ServiceContract.objects.create(
        account=service_world["mine"], sla_policy=service_world["policy"],
        starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=10),
        allowance_kind="hours", allowance=Decimal(10))


def test_remote_work_draws_hours_from_the_contract(service_world, hours_contract):
    request = new_request(actor=service_world["admin"], account=service_world["mine"])
    part = make_product(actor=service_world["admin"], name="Fuse")
    log = work_log_add(request=request, actor=service_world["agent"], kind="remote",
                       minutes=90, description="Reset", parts=[PartUsed(part, Decimal(2))])
    hours_contract.refresh_from_db()
    assert hours_contract.used == Decimal("1.50")
    assert (log.contract, log.drawn) == (hours_contract, Decimal("1.50"))
    assert [(p.product, p.quantity) for p in log.parts.all()] == [(part, Decimal(2))]


def test_visits_count_on_site_work_only(service_world, hours_contract):
    hours_contract.allowance_kind = "visits"
    hours_contract.save()
    request = new_request(actor=service_world["admin"], account=service_world["mine"])
    work_log_add(request=request, actor=service_world["agent"], kind="remote", minutes=30)
    work_log_add(request=request, actor=service_world["agent"], kind="on_site", minutes=240)
    hours_contract.refresh_from_db()
    assert hours_contract.used == Decimal(1)


def test_bad_work_logs_are_refused(service_world):
    request = new_request(actor=service_world["admin"], account=service_world["mine"])
    agent = service_world["agent"]
    with pytest.raises(ValidationError):
        work_log_add(request=request, actor=agent, kind="remote", minutes=0)
    with pytest.raises(ValidationError):
        work_log_add(request=request, actor=agent, kind="teleport", minutes=10)
    with pytest.raises(ValidationError):
        work_log_add(request=request, actor=agent, kind="remote", minutes=10,
                     performed_on=timezone.localdate() + timedelta(days=2))
    with pytest.raises(PermissionDenied):
        work_log_add(request=request, actor=service_world["rep"], kind="remote", minutes=10)
