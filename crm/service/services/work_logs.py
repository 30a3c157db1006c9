"""Work logs: what an agent did (on site or remote), how long, which catalog parts were
used. When the request's coverage is a service contract with an allowance, the work draws
it down (hours: the time spent; visits: one per on-site visit) through the contracts
service, the one writer of a contract's usage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.catalog.models import Product
from crm.core.audit import audit_event
from crm.service.coverage import coverage_for
from crm.service.models import (
    RequestStatus,
    ServiceContract,
    ServiceRequest,
    WorkLog,
    WorkLogKind,
    WorkLogPart,
)
from crm.service.services.assignment import may_work
from tenants.users.models import User

MAX_MINUTES = 24 * 60


@dataclass(frozen=True)
class PartUsed:
    product: Product
    quantity: Decimal


def allowance_used(contract: ServiceContract, *, kind: str, minutes: int) -> Decimal:
    """How much of ``contract``'s allowance one work log uses."""
    if contract.allowance_kind == "hours":
        return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if contract.allowance_kind == "visits":
        return Decimal(1) if kind == WorkLogKind.ON_SITE else Decimal(0)
    return Decimal(0)


@transaction.atomic
def work_log_add(*, request: ServiceRequest, actor: User, kind: str, minutes: int,
                 performed_on: date | None = None, description: str = "",
                 parts: Sequence[PartUsed] = (), now: datetime | None = None) -> WorkLog:
    from crm.service.services.contracts import contract_draw_down

    if not may_work(actor):
        raise PermissionDenied(_("You may not log work on service requests."))
    now = now or timezone.now()
    performed_on = performed_on or timezone.localdate(now)
    errors: dict[str, str] = {}
    if kind not in WorkLogKind.values:
        errors["kind"] = _("Choose on site or remote.")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= MAX_MINUTES:
        errors["minutes"] = _("Give the time spent in minutes (1 to 1440).")
    if performed_on > timezone.localdate(now):
        errors["performed_on"] = _("Work cannot be logged for a future day.")
    if request.status == RequestStatus.CLOSED:
        errors["kind"] = _("The request is closed.")
    for part in parts:
        if part.quantity <= 0:
            errors["parts"] = _("Each part needs a quantity above zero.")
    if errors:
        raise ValidationError(errors)
    contract = coverage_for(account=request.account, asset=request.asset,
                            on=performed_on).contract
    log = WorkLog.objects.create(request=request, agent=actor, kind=kind, minutes=minutes,
                                 performed_on=performed_on, description=description.strip())
    WorkLogPart.objects.bulk_create([WorkLogPart(work_log=log, product=part.product,
                                                 quantity=part.quantity) for part in parts])
    if contract is not None and contract.allowance_kind:
        amount = allowance_used(contract, kind=kind, minutes=minutes)
        if amount > 0:
            contract_draw_down(contract=contract, amount=amount, actor=actor)
            log.contract, log.drawn = contract, amount
            log.save(update_fields=["contract", "drawn"])
    audit_event(instance=request, action="work_log", actor=actor,
                data={"work_log": log.pk, "minutes": minutes, "kind": kind})
    return log
