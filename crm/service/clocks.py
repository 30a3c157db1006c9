"""SLA clocks of a service request: the functions the request lifecycle calls.

Two clocks run from ``reported_at`` in the policy's business time: first response (stopped
by the first public reply by staff) and resolution (paused while waiting on the customer;
resuming adds exactly the paused business time to ``resolution_due``). Targets come from the
request's coverage (crm.service.coverage) and the policy's target for its severity; no
policy, or no target for the severity, means no clock.

Every function mutates the request and, when the row exists (has a pk) and ``save`` is
true, saves the fields it changed (``update_fields``) — call it inside the lifecycle
service's transaction. Each returns the names of the fields it changed. Each keeps
``next_sla_check_at`` (when the escalation sweep must look again: the next warning or due
time of a running clock, NULL when none) and the breach flags right.

Warnings go out ``SlaSettings.warning_lead_minutes`` of wall-clock time before a due time;
escalation at the due time (crm.service.escalation, once each).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from crm.service.business_time import add_business_time, business_time_between
from crm.service.coverage import coverage_for
from crm.service.models import ServiceRequest, SlaPolicy, SlaSettings

__all__ = [
    "clock_first_response",
    "clock_pause",
    "clock_refresh",
    "clock_reopen",
    "clock_resolve",
    "clock_resume",
    "clock_start",
    "sla_settings",
    "targets_for",
    "warning_lead",
]

CLOCK_FIELDS = (
    "sla_policy", "first_response_due", "resolution_due", "first_response_at", "resolved_at",
    "paused_at", "next_sla_check_at", "breached", "first_response_breached",
    "resolution_breached", "first_response_warned_at", "first_response_escalated_at",
    "resolution_warned_at", "resolution_escalated_at",
)


def sla_settings() -> SlaSettings:
    settings = SlaSettings.objects.order_by("pk").first()
    if settings is None:
        settings = SlaSettings.objects.create()
    return settings


def warning_lead() -> timedelta:
    return timedelta(minutes=sla_settings().warning_lead_minutes)


def targets_for(policy: SlaPolicy | None, severity: str) -> tuple[int | None, int | None]:
    """(first response minutes, resolution minutes) of ``policy`` for ``severity``."""
    if policy is None:
        return None, None
    for target in policy.targets or []:
        if isinstance(target, dict) and target.get("severity") == severity:
            return target.get("first_response_minutes"), target.get("resolution_minutes")
    return None, None


def _snapshot(request: ServiceRequest) -> dict[str, object]:
    return {name: getattr(request, "sla_policy_id" if name == "sla_policy" else name)
            for name in CLOCK_FIELDS}


def _finish(request: ServiceRequest, before: dict[str, object], *, now: datetime | None,
            lead: timedelta | None, save: bool) -> list[str]:
    clock_refresh(request, now=now, lead=lead, save=False)
    after = _snapshot(request)
    changed = [name for name in CLOCK_FIELDS if before[name] != after[name]]
    if save and changed and request.pk is not None:
        request.save(update_fields=[*changed, "updated_at"])
    return changed


def _response_running(request: ServiceRequest) -> bool:
    return (request.first_response_due is not None and request.first_response_at is None
            and request.resolved_at is None)


def _resolution_running(request: ServiceRequest) -> bool:
    return (request.resolution_due is not None and request.resolved_at is None
            and request.paused_at is None)


def _next_check(due: datetime, warned: datetime | None, lead: timedelta) -> datetime:
    if warned is None and lead > timedelta(0):
        return due - lead
    return due


def clock_refresh(request: ServiceRequest, *, now: datetime | None = None,
                  lead: timedelta | None = None, save: bool = True) -> list[str]:
    """Recompute ``next_sla_check_at`` and the breach flags from the clocks' state."""
    before = _snapshot(request)
    now = now or timezone.now()
    lead = warning_lead() if lead is None else lead
    candidates: list[datetime] = []
    if _response_running(request):
        assert request.first_response_due is not None
        if request.first_response_due <= now:
            request.first_response_breached = True
        if request.first_response_escalated_at is None:
            candidates.append(_next_check(request.first_response_due,
                                          request.first_response_warned_at, lead))
    if _resolution_running(request):
        assert request.resolution_due is not None
        if request.resolution_due <= now:
            request.resolution_breached = True
        if request.resolution_escalated_at is None:
            candidates.append(_next_check(request.resolution_due,
                                          request.resolution_warned_at, lead))
    request.next_sla_check_at = min(candidates) if candidates else None
    request.breached = request.first_response_breached or request.resolution_breached
    if save and request.pk is not None:
        changed = [name for name, value in _snapshot(request).items() if before[name] != value]
        if changed:
            request.save(update_fields=[*changed, "updated_at"])
            return changed
    return [name for name, value in _snapshot(request).items() if before[name] != value]


def clock_start(request: ServiceRequest, *, now: datetime | None = None,
                lead: timedelta | None = None, save: bool = True) -> list[str]:
    """Set ``sla_policy`` from the coverage on ``reported_at``, and both due times from
    ``reported_at`` in the policy's business time. Restarting (e.g. after a severity change)
    recomputes both due times from ``reported_at`` and keeps the stopped clocks' facts."""
    before = _snapshot(request)
    reported_at = request.reported_at
    coverage = coverage_for(account=request.account, asset=request.asset, on=reported_at)
    policy = coverage.sla_policy
    request.sla_policy = policy
    response_minutes, resolution_minutes = targets_for(policy, request.severity)
    request.first_response_due = (
        add_business_time(policy, reported_at, timedelta(minutes=response_minutes))
        if policy is not None and response_minutes is not None else None)
    request.resolution_due = (
        add_business_time(policy, reported_at, timedelta(minutes=resolution_minutes))
        if policy is not None and resolution_minutes is not None else None)
    # A response or resolution already recorded keeps its verdict against the new target.
    responded, response_due = request.first_response_at, request.first_response_due
    request.first_response_breached = (responded is not None and response_due is not None
                                       and responded > response_due)
    resolved, resolution_due = request.resolved_at, request.resolution_due
    request.resolution_breached = (resolved is not None and resolution_due is not None
                                   and resolved > resolution_due)
    return _finish(request, before, now=now, lead=lead, save=save)


def clock_first_response(request: ServiceRequest, at: datetime, *, now: datetime | None = None,
                         lead: timedelta | None = None, save: bool = True) -> list[str]:
    """Stop the response clock at ``at`` (the first public reply by staff). Later replies
    change nothing."""
    before = _snapshot(request)
    if request.first_response_at is None:
        request.first_response_at = at
        request.first_response_breached = (request.first_response_due is not None
                                           and at > request.first_response_due)
    return _finish(request, before, now=now or at, lead=lead, save=save)


def clock_pause(request: ServiceRequest, at: datetime, *, now: datetime | None = None,
                lead: timedelta | None = None, save: bool = True) -> list[str]:
    """Pause the resolution clock at ``at`` (waiting on the customer). Pausing a paused or
    resolved request changes nothing."""
    before = _snapshot(request)
    if request.paused_at is None and request.resolved_at is None:
        request.paused_at = at
    return _finish(request, before, now=now or at, lead=lead, save=save)


def _extend_resolution(request: ServiceRequest, since: datetime, until: datetime) -> None:
    if request.resolution_due is None or request.sla_policy is None or until <= since:
        return
    paused = business_time_between(request.sla_policy, since, until)
    request.resolution_due = add_business_time(request.sla_policy, request.resolution_due,
                                               paused)


def clock_resume(request: ServiceRequest, at: datetime, *, now: datetime | None = None,
                 lead: timedelta | None = None, save: bool = True) -> list[str]:
    """Resume the resolution clock at ``at``: ``resolution_due`` moves by exactly the
    business time that passed while paused."""
    before = _snapshot(request)
    if request.paused_at is not None:
        _extend_resolution(request, request.paused_at, at)
        request.paused_at = None
    return _finish(request, before, now=now or at, lead=lead, save=save)


def clock_resolve(request: ServiceRequest, at: datetime, *, now: datetime | None = None,
                  lead: timedelta | None = None, save: bool = True) -> list[str]:
    """Stop both clocks at ``at``. Resolving while paused first resumes at ``at`` (the
    paused time does not count against the target)."""
    before = _snapshot(request)
    if request.paused_at is not None:
        _extend_resolution(request, request.paused_at, at)
        request.paused_at = None
    if request.resolved_at is None:
        request.resolved_at = at
    request.resolution_breached = (request.resolution_due is not None
                                   and request.resolved_at > request.resolution_due)
    if request.first_response_at is None and request.first_response_due is not None:
        request.first_response_breached = at > request.first_response_due
    return _finish(request, before, now=now or at, lead=lead, save=save)


def clock_reopen(request: ServiceRequest, at: datetime, *, now: datetime | None = None,
                 lead: timedelta | None = None, save: bool = True) -> list[str]:
    """Restart the resolution clock at ``at`` after a resolution: the time it stood resolved
    is added like a pause (a late resolution stays late)."""
    before = _snapshot(request)
    if request.resolved_at is not None:
        was_late = request.resolution_breached
        _extend_resolution(request, request.resolved_at, at)
        request.resolved_at = None
        request.resolution_breached = was_late
    return _finish(request, before, now=now or at, lead=lead, save=save)
