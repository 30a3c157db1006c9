"""Where a new request goes and who works it: the queue by category, then by the account's
region, then the tenant's default queue; inside a queue round-robin among its available
agents (fair: each available agent gets the next request in turn), or by hand."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.core.notifications import notify
from crm.service.models import (
    AgentAvailability,
    RequestStatus,
    ServiceQueue,
    ServiceRequest,
    StatusChange,
)
from tenants.users.models import User, UserKind
from tenants.users.permissions import ROLE_CAPABILITIES, Capability, can


def service_roles() -> list[str]:
    """The roles that may work service requests (and so be assigned one)."""
    return [role for role, capabilities in ROLE_CAPABILITIES.items()
            if Capability.MANAGE_SERVICE in capabilities]


def queue_for(*, category: str, region: str) -> ServiceQueue | None:
    """The queue a request of this category, for an account in this region, lands in."""
    category, region = category.strip().casefold(), region.strip().casefold()
    queues = list(ServiceQueue.objects.order_by("pk"))  # a tenant has a handful: one query
    for queue in queues:
        if category and category in {name.strip().casefold() for name in queue.categories}:
            return queue
    for queue in queues:
        if region and queue.region.strip().casefold() == region:
            return queue
    return next((queue for queue in queues if queue.is_default), None)


def available_agents(queue: ServiceQueue) -> list[User]:
    """The queue's agents who take new requests now, in a fixed order (by id)."""
    unavailable = AgentAvailability.objects.filter(available=False).values("user_id")
    return list(queue.agents.filter(is_active=True, kind=UserKind.STAFF,
                                    role__in=service_roles())
                .exclude(pk__in=unavailable).order_by("pk"))


def next_in_turn(agent_ids: list[int], last_id: int | None) -> int:
    """The agent after ``last_id`` in ``agent_ids`` (sorted ids), wrapping round; the first
    when the last one is gone or there was none."""
    return next((pk for pk in agent_ids if last_id is not None and pk > last_id), agent_ids[0])


def round_robin_next(*, queue: ServiceQueue) -> User | None:
    """The next available agent of ``queue`` after the one who got the last request, and
    remember them. Locks the queue row so two requests never go to the same turn."""
    locked = ServiceQueue.objects.select_for_update().get(pk=queue.pk)
    agents = available_agents(locked)
    if not agents:
        return None
    chosen_id = next_in_turn([agent.pk for agent in agents], locked.last_assigned_id)
    chosen = next(agent for agent in agents if agent.pk == chosen_id)
    ServiceQueue.objects.filter(pk=locked.pk).update(last_assigned=chosen)
    queue.last_assigned = chosen
    return chosen


def may_work(user: User | None) -> bool:
    return user is not None and user.is_active and can(user, Capability.MANAGE_SERVICE)


def record_status(*, request: ServiceRequest, from_status: str, to_status: str,
                  actor: User | None, at: datetime, note: str = "") -> StatusChange:
    return StatusChange.objects.create(request=request, from_status=from_status,
                                       to_status=to_status, actor=actor, at=at, note=note[:300])


def _tell_assignee(request: ServiceRequest, assignee: User, actor: User | None) -> None:
    notify(recipients=[assignee], actor=actor, verb="service_request.assigned",
           message=_("%(number)s assigned to you: %(subject)s")
           % {"number": request.number, "subject": request.subject},
           target=request, url=reverse("crm_service:request_detail", args=[request.pk]),
           email=True)


def assign_on_create(*, request: ServiceRequest, region: str, now: datetime) -> None:
    """Route a new (saved) request to its queue and, by round-robin, to an agent."""
    queue = queue_for(category=request.category, region=region)
    if queue is None:
        return
    request.queue = queue
    agent = round_robin_next(queue=queue)
    fields = ["queue", "updated_at"]
    if agent is not None:
        request.assignee = agent
        request.status = RequestStatus.ASSIGNED
        fields += ["assignee", "status"]
    request.save(update_fields=fields)
    if agent is not None:
        record_status(request=request, from_status=RequestStatus.NEW,
                      to_status=RequestStatus.ASSIGNED, actor=None, at=now,
                      note=_("Round-robin in %(queue)s") % {"queue": queue.name})
        _tell_assignee(request, agent, None)


@transaction.atomic
def service_request_assign(*, request: ServiceRequest, actor: User, assignee: User | None = None,
                           queue: ServiceQueue | None = None, now: datetime | None = None
                           ) -> ServiceRequest:
    """Give ``request`` to ``assignee`` by hand (or, with only ``queue``, move it to that
    queue and let round-robin pick). A new request becomes assigned."""
    from crm.core.events import emit

    if not may_work(actor):
        raise PermissionDenied(_("You may not assign service requests."))
    now = now or timezone.now()
    locked = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status in (RequestStatus.RESOLVED, RequestStatus.CLOSED):
        raise ValidationError({"status": _("A resolved or closed request is not assigned; "
                                           "reopen it first.")})
    if assignee is None and queue is None:
        raise ValidationError({"assignee": _("Choose an agent or a queue.")})
    if queue is not None:
        locked.queue = queue
        if assignee is None:
            assignee = round_robin_next(queue=queue)
            if assignee is None:
                raise ValidationError({"queue": _("No agent of this queue is available.")})
    if assignee is not None and not (may_work(assignee) and assignee.kind == UserKind.STAFF):
        raise ValidationError({"assignee": _("This person does not work service requests.")})
    previous = locked.status
    locked.assignee = assignee
    if previous == RequestStatus.NEW:
        locked.status = RequestStatus.ASSIGNED
    locked.save(update_fields=["assignee", "queue", "status", "updated_at"])
    if locked.status != previous:
        change = record_status(request=locked, from_status=previous, to_status=locked.status,
                               actor=actor, at=now)
        emit("service_request.status_changed", data={
            "id": locked.pk, "number": locked.number, "from": previous, "to": locked.status,
            "status_change": change.pk})
    audit_event(instance=locked, action="assign", actor=actor,
                data={"assignee": assignee.pk if assignee else None,
                      "queue": locked.queue_id})
    if assignee is not None:
        _tell_assignee(locked, assignee, actor)
    return locked


@transaction.atomic
def agent_availability_set(*, agent: User, actor: User, available: bool) -> AgentAvailability:
    """An agent marks themselves (un)available for round-robin; admins may do it for them."""
    if agent.pk != actor.pk and not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied(_("You may only change your own availability."))
    row, _created = AgentAvailability.objects.update_or_create(
        user=agent, defaults={"available": available})
    return row
