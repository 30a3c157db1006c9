"""Service requests: the one way a request comes to exist (staff, API, portal) and its
lifecycle: status changes with history, resolve, close, reopen within the tenant's window,
and the customer's satisfaction rating. SLA clocks are crm.service.clocks' business: each
transition calls the clock function it implies, in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Account, Contact
from crm.accounts.selectors import account_descendant_ids, account_is_visible
from crm.core.audit import audit_event
from crm.core.events import emit
from crm.core.numbering import next_number
from crm.service import clocks
from crm.service.members import is_member, member_may_see_account, member_may_see_request
from crm.service.models import (
    Asset,
    AssetStatus,
    Channel,
    RequestStatus,
    ServiceRequest,
    ServiceSettings,
    Severity,
)
from crm.service.services.assignment import assign_on_create, may_work, record_status
from crm.service.services.attachments import attach_uploads, uploads_check
from tenants.users.models import User
from tenants.users.permissions import Capability, can

NUMBER_PREFIX = "SR"
S = RequestStatus

# Where a status may go by /status/ (reopening has its own service and window).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.ASSIGNED, S.IN_PROGRESS, S.WAITING_ON_CUSTOMER, S.RESOLVED, S.CLOSED}),
    S.ASSIGNED: frozenset({S.IN_PROGRESS, S.WAITING_ON_CUSTOMER, S.RESOLVED, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.ASSIGNED, S.WAITING_ON_CUSTOMER, S.RESOLVED, S.CLOSED}),
    S.WAITING_ON_CUSTOMER: frozenset({S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED}),
    S.RESOLVED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}


def _event_data(request: ServiceRequest) -> dict[str, Any]:
    return {"id": request.pk, "number": request.number, "account": request.account_id,
            "asset": request.asset_id, "severity": request.severity,
            "status": request.status, "channel": request.channel}


def _check_new(*, actor: User, account: Account, contact: Contact | None,
               asset: Asset | None, severity: str, subject: str, channel: str,
               reported_at: datetime, now: datetime) -> None:
    errors: dict[str, Any] = {}
    if contact is not None and contact.account_id != account.pk:
        errors["contact"] = _("The contact belongs to another account.")
    if asset is not None:
        if asset.account_id != account.pk and asset.account_id not in account_descendant_ids(
                account_id=account.pk):
            errors["asset"] = _("The asset belongs to another account.")
        elif asset.status == AssetStatus.RETIRED:
            errors["asset"] = _("The asset is retired.")
    if severity not in Severity.values:
        errors["severity"] = _("Unknown severity.")
    if channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    if not subject.strip():
        errors["subject"] = _("Give a subject.")
    if timezone.is_naive(reported_at):
        errors["reported_at"] = _("Give the time with its time zone.")
    elif reported_at > now:
        errors["reported_at"] = _("A request cannot be reported in the future.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def service_request_create(*, actor: User, account: Account, subject: str,
                           description: str = "", severity: str = Severity.NORMAL,
                           contact: Contact | None = None, asset: Asset | None = None,
                           category: str = "", channel: str | None = None,
                           reported_at: datetime | None = None,
                           uploads: Sequence[UploadedFile] = (),
                           now: datetime | None = None) -> ServiceRequest:
    """Open a request. Staff may enter a call afterwards with ``reported_at`` in the past
    (never the future); members' requests are reported now, by the portal. The SLA clocks
    start from ``reported_at``; the request lands in its queue and, by round-robin, with an
    available agent. ``uploads`` are checked (content, size, count) before anything is
    written and attached to the new request."""
    now = now or timezone.now()
    uploads_check(uploads)
    if is_member(actor):
        if not member_may_see_account(actor, account.pk):
            raise PermissionDenied(_("You may not open requests for this account."))
        channel, reported_at = Channel.PORTAL, now
    else:
        if not can(actor, Capability.EDIT_RECORDS):
            raise PermissionDenied(_("You may not open service requests."))
        if not account_is_visible(viewer=actor, account=account):
            raise PermissionDenied(_("You may not see this account."))
        channel = channel or Channel.STAFF
    reported_at = reported_at or now
    _check_new(actor=actor, account=account, contact=contact, asset=asset, severity=severity,
               subject=subject, channel=channel, reported_at=reported_at, now=now)
    request = ServiceRequest(
        number=next_number(NUMBER_PREFIX, year=timezone.localdate(now).year),
        account=account, contact=contact, asset=asset, category=category.strip()[:100],
        severity=severity, subject=subject.strip()[:200], description=description,
        channel=channel, status=S.NEW, created_by=actor, reported_at=reported_at)
    clocks.clock_start(request, now=now, save=False)
    request.save()
    record_status(request=request, from_status="", to_status=S.NEW, actor=actor, at=now)
    emit("service_request.created", data=_event_data(request))
    assign_on_create(request=request, region=account.region, now=now)
    audit_event(instance=request, action="create", actor=actor,
                data={"number": request.number, "reported_at": reported_at.isoformat()})
    attach_uploads(request=request, actor=actor, uploads=uploads)
    return request


def _apply_clocks(request: ServiceRequest, previous: str, to: str, now: datetime) -> set[str]:
    """The clock calls a move from ``previous`` to ``to`` implies (the fields changed)."""
    changed: set[str] = set()
    if previous == S.WAITING_ON_CUSTOMER and to != S.WAITING_ON_CUSTOMER:
        changed |= set(clocks.clock_resume(request, now, now=now, save=False))
    if to == S.WAITING_ON_CUSTOMER:
        changed |= set(clocks.clock_pause(request, now, now=now, save=False))
    if to in (S.RESOLVED, S.CLOSED) and request.resolved_at is None:
        changed |= set(clocks.clock_resolve(request, now, now=now, save=False))
    return changed


def _move(request: ServiceRequest, *, to: str, actor: User | None, now: datetime,
          note: str = "", extra_fields: set[str] | None = None) -> ServiceRequest:
    previous = request.status
    fields = {"status", "updated_at", *(extra_fields or set())}
    fields |= _apply_clocks(request, previous, to, now)
    request.status = to
    if to == S.CLOSED:
        request.closed_at = now
        fields.add("closed_at")
    request.save(update_fields=sorted(fields))
    change = record_status(request=request, from_status=previous, to_status=to, actor=actor,
                           at=now, note=note)
    emit("service_request.status_changed", data={**_event_data(request), "from": previous,
                                                 "to": to, "status_change": change.pk})
    return request


def _locked(request: ServiceRequest) -> ServiceRequest:
    return (ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("account", "asset", "sla_policy").get(pk=request.pk))


@transaction.atomic
def service_request_status_set(*, request: ServiceRequest, actor: User, status: str,
                               note: str = "", now: datetime | None = None) -> ServiceRequest:
    """Move ``request`` to ``status`` (see TRANSITIONS); waiting on the customer pauses the
    resolution clock, leaving it resumes the clock, resolving and closing stop it."""
    if not may_work(actor):
        raise PermissionDenied(_("You may not work service requests."))
    now = now or timezone.now()
    locked = _locked(request)
    if status not in S.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == locked.status:
        return locked
    if status not in TRANSITIONS[locked.status]:
        raise ValidationError({"status": _("A request cannot go from %(from)s to %(to)s.")
                               % {"from": locked.get_status_display(),
                                  "to": S(status).label}})
    if status == S.ASSIGNED and locked.assignee_id is None:
        raise ValidationError({"status": _("Assign the request to an agent first.")})
    return _move(locked, to=status, actor=actor, now=now, note=note)


def service_request_resolve(*, request: ServiceRequest, actor: User, note: str = "",
                            now: datetime | None = None) -> ServiceRequest:
    return service_request_status_set(request=request, actor=actor, status=S.RESOLVED,
                                      note=note, now=now)


def service_request_close(*, request: ServiceRequest, actor: User, note: str = "",
                          now: datetime | None = None) -> ServiceRequest:
    """Close ``request``: staff by the status table; the customer (a portal member who may
    see the request) from any status but closed, e.g. when the problem went away or they
    accept the resolution."""
    if is_member(actor):
        return _member_close(request=request, actor=actor, note=note, now=now)
    return service_request_status_set(request=request, actor=actor, status=S.CLOSED,
                                      note=note, now=now)


@transaction.atomic
def _member_close(*, request: ServiceRequest, actor: User, note: str,
                  now: datetime | None) -> ServiceRequest:
    if not member_may_see_request(actor, request_id=request.pk, account_id=request.account_id):
        raise PermissionDenied(_("You may not close this request."))
    now = now or timezone.now()
    locked = _locked(request)
    if not customer_may_close(locked):
        raise ValidationError({"status": _("This request is closed already.")})
    return _move(locked, to=S.CLOSED, actor=actor, now=now,
                 note=note.strip() or _("Closed by the customer"))


def customer_may_close(request: ServiceRequest) -> bool:
    """The customer closes from any status but closed (the rule of ``_member_close``)."""
    return request.status != S.CLOSED


def may_be_rated(request: ServiceRequest) -> bool:
    """Rated once, after resolution (the rule of ``service_request_rate``)."""
    return request.status in (S.RESOLVED, S.CLOSED) and request.rated_at is None


def may_be_reopened(request: ServiceRequest, *, now: datetime | None = None) -> bool:
    """Resolved or closed, and still inside the tenant's reopen window (the rule of
    ``service_request_reopen``)."""
    deadline = reopen_deadline(request)
    return deadline is not None and (now or timezone.now()) <= deadline


def reopen_deadline(request: ServiceRequest) -> datetime | None:
    """Until when ``request`` may be reopened (None: it is not resolved)."""
    if request.resolved_at is None or request.status not in (S.RESOLVED, S.CLOSED):
        return None
    return request.resolved_at + timedelta(days=ServiceSettings.current().reopen_days)


@transaction.atomic
def service_request_reopen(*, request: ServiceRequest, actor: User, reason: str = "",
                           now: datetime | None = None) -> ServiceRequest:
    """Reopen a resolved or closed request within the tenant's window (ServiceSettings):
    the agent (or the customer, from the portal) finds the problem is back. The resolution
    clock runs again, the time it stood resolved not counted."""
    now = now or timezone.now()
    if is_member(actor):
        if not member_may_see_request(actor, request_id=request.pk,
                                      account_id=request.account_id):
            raise PermissionDenied(_("You may not reopen this request."))
        if not reason.strip():
            # The agent who picks it up again needs to know what came back.
            raise ValidationError({"reason": _("Tell us why you reopen the request.")})
    elif not may_work(actor):
        raise PermissionDenied(_("You may not work service requests."))
    locked = _locked(request)
    deadline = reopen_deadline(locked)
    if deadline is None:
        raise ValidationError({"status": _("Only a resolved or closed request can be "
                                           "reopened.")})
    if now > deadline:
        raise ValidationError({"status": _("The request was resolved more than %(days)s days "
                                           "ago; open a new one.")
                               % {"days": ServiceSettings.current().reopen_days}})
    previous = locked.status
    fields = set(clocks.clock_reopen(locked, now, now=now, save=False))
    locked.closed_at = None
    locked.status = S.ASSIGNED if locked.assignee_id else S.NEW
    locked.save(update_fields=sorted({"status", "closed_at", "updated_at", *fields}))
    change = record_status(request=locked, from_status=previous, to_status=locked.status,
                           actor=actor, at=now, note=reason.strip() or _("Reopened"))
    emit("service_request.status_changed", data={**_event_data(locked), "from": previous,
                                                 "to": locked.status, "reopened": True,
                                                 "status_change": change.pk})
    return locked


@transaction.atomic
def service_request_rate(*, request: ServiceRequest, actor: User, score: int,
                         remark: str = "", now: datetime | None = None) -> ServiceRequest:
    """The customer's satisfaction (1 to 5 and a remark), once, after resolution. Staff may
    record it for a customer who answered by phone."""
    now = now or timezone.now()
    if is_member(actor):
        if not member_may_see_request(actor, request_id=request.pk,
                                      account_id=request.account_id):
            raise PermissionDenied(_("You may not rate this request."))
    elif not can(actor, Capability.EDIT_RECORDS):
        raise PermissionDenied(_("You may not rate this request."))
    locked = _locked(request)
    if not may_be_rated(locked):
        if locked.status not in (S.RESOLVED, S.CLOSED):
            raise ValidationError({"score": _("A request is rated once it is resolved.")})
        raise ValidationError({"score": _("This request has been rated already.")})
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": _("Give a score from 1 to 5.")})
    locked.rating_score, locked.rating_remark, locked.rated_at = score, remark.strip(), now
    locked.save(update_fields=["rating_score", "rating_remark", "rated_at", "updated_at"])
    audit_event(instance=locked, action="rate", actor=actor, data={"score": score})
    return locked


def customer_reply_resumes(request: ServiceRequest, *, actor: User, now: datetime) -> None:
    """A customer's reply to a request waiting on them puts it back in progress (the
    resolution clock resumes). Called inside the comment service's transaction."""
    if request.status == S.WAITING_ON_CUSTOMER:
        _move(request, to=S.IN_PROGRESS, actor=actor, now=now,
              note=_("The customer replied"))

