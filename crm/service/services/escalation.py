"""The SLA escalation sweep: run every minute in every tenant (Celery beat, one task per
tenant schema). Warnings before a breach go to the assignee (the queue's manager, else the
tenant admins, while unassigned); escalation at the breach goes to the queue's manager (else
the tenant admins). Each goes out once per clock (``*_warned_at`` / ``*_escalated_at``).

Cheap by construction: one query on the partial index ``service_request_sla_check_due``
(``next_sla_check_at <= now``) and nothing else when nothing is due. Due rows are then
locked with SKIP LOCKED, so two sweeps running at once never notify twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.core.notifications import notify
from crm.service.clocks import clock_refresh, warning_lead
from crm.service.models import ServiceRequest
from crm.service.services.contracts import tenant_admins
from tenants.users.models import User

BATCH = 500


@dataclass
class SweepResult:
    checked: int = 0
    warnings: int = 0
    escalations: int = 0


def _request_url(request: ServiceRequest) -> str:
    try:
        return reverse("crm_service:request_detail", args=[request.pk])
    except NoReverseMatch:  # the request pages are not installed
        return ""


class _Recipients:
    """Tenant admins, read at most once per sweep."""

    def __init__(self) -> None:
        self._admins: list[User] | None = None

    def admins(self) -> list[User]:
        if self._admins is None:
            self._admins = tenant_admins()
        return self._admins

    def manager(self, request: ServiceRequest) -> list[User]:
        manager = request.queue.manager if request.queue_id and request.queue else None
        if manager is not None and manager.is_active:
            return [manager]
        return self.admins()

    def assignee(self, request: ServiceRequest) -> list[User]:
        if request.assignee is not None and request.assignee.is_active:
            return [request.assignee]
        return self.manager(request)


CLOCKS = (
    ("first_response", gettext_lazy("first response")),
    ("resolution", gettext_lazy("resolution")),
)
SWEPT_FIELDS = ("first_response_warned_at", "first_response_escalated_at",
                "resolution_warned_at", "resolution_escalated_at", "next_sla_check_at",
                "breached", "first_response_breached", "resolution_breached")


def _running(request: ServiceRequest, clock: str) -> bool:
    if request.resolved_at is not None:
        return False
    if clock == "first_response":
        return request.first_response_at is None and request.first_response_due is not None
    return request.paused_at is None and request.resolution_due is not None


def _process(request: ServiceRequest, *, now: datetime, lead: timedelta,
             recipients: _Recipients, result: SweepResult) -> None:
    for clock, label in CLOCKS:
        if not _running(request, clock):
            continue
        due: datetime = getattr(request, f"{clock}_due")
        if getattr(request, f"{clock}_escalated_at") is not None:
            continue
        values = {"number": request.number, "subject": request.subject, "clock": label,
                  "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")}
        if due <= now:
            notify(recipients=recipients.manager(request), actor=None, verb="sla.breached",
                   message=_("%(number)s %(subject)s: the %(clock)s target passed at "
                             "%(due)s.") % values,
                   target=request, url=_request_url(request), email=True)
            setattr(request, f"{clock}_escalated_at", now)
            if getattr(request, f"{clock}_warned_at") is None:
                setattr(request, f"{clock}_warned_at", now)  # too late to warn: escalated
            result.escalations += 1
        elif (getattr(request, f"{clock}_warned_at") is None and lead > timedelta(0)
              and due - lead <= now):
            notify(recipients=recipients.assignee(request), actor=None, verb="sla.warning",
                   message=_("%(number)s %(subject)s: the %(clock)s is due at %(due)s.")
                   % values, target=request, url=_request_url(request), email=True)
            setattr(request, f"{clock}_warned_at", now)
            result.warnings += 1


def sla_escalation_sweep(*, now: datetime | None = None, batch: int = BATCH) -> SweepResult:
    """Warn and escalate every request whose next SLA check is due (in this schema)."""
    now = now or timezone.now()
    result = SweepResult()
    due_ids = list(ServiceRequest.objects.filter(next_sla_check_at__lte=now)
                   .order_by("next_sla_check_at").values_list("pk", flat=True)[:batch])
    if not due_ids:
        return result
    lead = warning_lead()
    recipients = _Recipients()
    with transaction.atomic():
        locked = (ServiceRequest.objects.select_for_update(skip_locked=True, of=("self",))
                  .select_related("queue__manager", "assignee", "sla_policy")
                  .filter(pk__in=due_ids, next_sla_check_at__lte=now).order_by("pk"))
        for request in locked:
            result.checked += 1
            _process(request, now=now, lead=lead, recipients=recipients, result=result)
            clock_refresh(request, now=now, lead=lead, save=False)
            request.save(update_fields=[*SWEPT_FIELDS, "updated_at"])
    return result
