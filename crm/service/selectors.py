"""Service reads the pages, the API and (later) the portal share.

Visibility: staff see an asset or a service request when they may see its account
(crm.accounts.selectors: service agents see every account; reps their own, their teams' and
the pool's; managers their teams'; admins and read-only users everything). A request is
also visible to the agent it is assigned to. Portal members see the records of the
accounts the portal grants them (``register_member_accounts``; none until the portal
registers its rule). Every accessor by id answers Http404 for "missing" and "not yours".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404

from crm.accounts.selectors import account_visible_queryset
from crm.core.models import Attachment
from crm.core.visibility import owner_scope_for
from crm.service.asset_tree import asset_ancestor_ids, asset_subtree_ids
from crm.service.members import (
    is_member,
    member_account_ids,
    member_request_ids,
    register_member_accounts,
)
from crm.service.models import (
    OPEN_STATUSES,
    AgentAvailability,
    Asset,
    ServiceComment,
    ServiceQueue,
    ServiceRequest,
    StatusChange,
    WorkLog,
    WorkLogPart,
)
from tenants.users.models import User, UserKind
from tenants.users.permissions import ROLE_CAPABILITIES, Capability, can


def _pk(value: int | str) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if pk < 1 or pk > 2**63 - 1:
        raise Http404
    return pk


def _is_member(viewer: User) -> bool:
    return is_member(viewer)

__all__ = ["asset_ancestor_ids", "asset_subtree_ids", "register_member_accounts"]


# --- assets ---------------------------------------------------------------------------

def asset_visible_queryset(viewer: User) -> QuerySet[Asset]:
    """Assets of accounts ``viewer`` may see (members: of their accessible accounts)."""
    if _is_member(viewer):
        accounts = member_account_ids(viewer)
        if accounts is None:
            return Asset.objects.none()
        return Asset.objects.filter(account_id__in=accounts)
    if not can(viewer, Capability.USE_CRM):
        return Asset.objects.none()
    if owner_scope_for(viewer).sees_all:
        return Asset.objects.all()
    return Asset.objects.filter(
        account_id__in=account_visible_queryset(viewer=viewer).values("pk"))


def asset_list(*, viewer: User) -> QuerySet[Asset]:
    """Visible assets with account, product and parent loaded."""
    return asset_visible_queryset(viewer).select_related("account", "product", "parent")


def asset_get_for(*, viewer: User, asset_id: int | str) -> Asset:
    """The asset if ``viewer`` may see it; Http404 otherwise."""
    asset = (asset_visible_queryset(viewer)
             .select_related("account", "product", "parent", "warranty_policy", "order_line",
                             "order_line__order")
             .filter(pk=_pk(asset_id)).first())
    if asset is None:
        raise Http404
    return asset


@dataclass
class ComponentNode:
    asset: Asset
    children: list[ComponentNode] = field(default_factory=list)


def asset_component_tree(*, asset: Asset, subtree_ids: list[int]) -> list[ComponentNode]:
    """The components of ``asset`` as a tree (one query for the rows of ``subtree_ids``)."""
    rows = (Asset.objects.filter(pk__in=subtree_ids).exclude(pk=asset.pk)
            .select_related("product").order_by("serial_number", "pk"))
    nodes = {row.pk: ComponentNode(row) for row in rows}
    top: list[ComponentNode] = []
    for node in nodes.values():
        if node.asset.parent_id == asset.pk:
            top.append(node)
        elif node.asset.parent_id in nodes:
            nodes[node.asset.parent_id].children.append(node)
    return top


def asset_service_history(*, viewer: User, subtree_ids: list[int]) -> QuerySet[ServiceRequest]:
    """Every request raised against the asset or one of its components, newest first."""
    return (service_request_visible_queryset(viewer)
            .filter(asset_id__in=subtree_ids)
            .select_related("account", "asset", "asset__product", "assignee")
            .order_by("-reported_at", "-pk"))


# --- service requests -----------------------------------------------------------------

def service_request_visible_queryset(viewer: User) -> QuerySet[ServiceRequest]:
    """Requests ``viewer`` may see: staff by the account's visibility (and their own
    assigned requests), members by their accessible accounts and, where the portal says
    which of those requests are theirs (``register_member_requests``), only those."""
    if _is_member(viewer):
        accounts = member_account_ids(viewer)
        if accounts is None:
            return ServiceRequest.objects.none()
        of_accounts = ServiceRequest.objects.filter(account_id__in=accounts)
        requests = member_request_ids(viewer)
        return of_accounts if requests is None else of_accounts.filter(pk__in=requests)
    if not can(viewer, Capability.USE_CRM):
        return ServiceRequest.objects.none()
    if owner_scope_for(viewer).sees_all:
        return ServiceRequest.objects.all()
    visible = account_visible_queryset(viewer=viewer).values("pk")
    return ServiceRequest.objects.filter(Q(account_id__in=visible) | Q(assignee=viewer))


def service_request_list(*, viewer: User) -> QuerySet[ServiceRequest]:
    return (service_request_visible_queryset(viewer)
            .select_related("account", "asset", "asset__product", "assignee", "queue"))


def service_request_get_for(*, viewer: User, request_id: int | str) -> ServiceRequest:
    """The request if ``viewer`` may see it; Http404 otherwise. The one accessor for pages,
    the API and the portal."""
    service_request = (service_request_visible_queryset(viewer)
                       .select_related("account", "contact", "asset", "asset__product",
                                       "assignee", "queue", "sla_policy", "created_by")
                       .filter(pk=_pk(request_id)).first())
    if service_request is None:
        raise Http404
    return service_request


def public_comments(request: ServiceRequest) -> QuerySet[ServiceComment]:
    """What the customer sees of the conversation: public comments only."""
    return (ServiceComment.objects.filter(request=request, public=True)
            .select_related("author").order_by("created_at", "pk"))


def comments_for(*, viewer: User, request: ServiceRequest) -> QuerySet[ServiceComment]:
    """Comments of ``request`` as ``viewer`` may read them (members: public ones only)."""
    if _is_member(viewer) or not can(viewer, Capability.USE_CRM):
        return public_comments(request)
    return (ServiceComment.objects.filter(request=request).select_related("author")
            .order_by("created_at", "pk"))


def request_attachments(request: ServiceRequest) -> QuerySet[Attachment]:
    from django.contrib.contenttypes.models import ContentType

    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(ServiceRequest),
        object_id=request.pk).order_by("created_at", "pk")


def request_work_logs(request: ServiceRequest) -> QuerySet[WorkLog]:
    return (WorkLog.objects.filter(request=request).select_related("agent", "contract")
            .prefetch_related(Prefetch("parts", queryset=WorkLogPart.objects
                                       .select_related("product")))
            .order_by("performed_on", "pk"))


def request_status_history(request: ServiceRequest) -> QuerySet[StatusChange]:
    return StatusChange.objects.filter(request=request).select_related("actor")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "status", "comment", "work_log"
    item: Any


def request_timeline(*, viewer: User, request: ServiceRequest) -> list[TimelineEntry]:
    """Status changes, comments (as ``viewer`` may read them) and work logs, oldest first."""
    entries = [TimelineEntry(change.at, "status", change)
               for change in request_status_history(request)]
    entries += [TimelineEntry(comment.created_at, "comment", comment)
                for comment in comments_for(viewer=viewer, request=request)]
    if not _is_member(viewer):
        entries += [TimelineEntry(log.created_at, "work_log", log)
                    for log in request_work_logs(request)]
    return sorted(entries, key=lambda entry: entry.at)


# --- the agent's queue ----------------------------------------------------------------

def agent_queue_ids(agent: User) -> list[int]:
    return list(ServiceQueue.objects.filter(agents=agent).values_list("pk", flat=True))


class AgentQueue:
    """The agent's home page: their open requests and the unassigned open requests of the
    queues they work, soonest due first (requests without a clock last), then by id.

    Sliced like a queryset (``queue[0:51]``, which is what ``page_of`` does) in four queries
    whatever the table's size: the queue ids, then each half as an ordered scan of its
    partial index (open by assignee; open and unassigned by queue) cut at the slice's end,
    merged here, then the page's rows. One OR-ed query would sort every open row of the
    agent and their queues before the LIMIT."""

    def __init__(self, viewer: User) -> None:
        self.viewer = viewer

    def branches(self) -> list[QuerySet[ServiceRequest]]:
        visible = service_request_visible_queryset(self.viewer).filter(
            status__in=OPEN_STATUSES)
        order = (F("due_at").asc(nulls_last=True), "pk")
        halves = [visible.filter(assignee=self.viewer).order_by(*order)]
        queue_ids = agent_queue_ids(self.viewer)
        if queue_ids:
            halves.append(visible.filter(assignee__isnull=True, queue_id__in=queue_ids)
                          .order_by(*order))
        return halves

    def __getitem__(self, window: slice) -> list[ServiceRequest]:
        start, stop = window.start or 0, window.stop
        if stop is None:
            raise ValueError("Slice the agent queue with an end.")
        keys: list[tuple[bool, datetime | None, int]] = []
        for half in self.branches():
            keys += [(due is None, due, pk) for due, pk in
                     half.values_list("due_at", "pk")[:stop]]
        keys.sort()
        ids = [pk for _missing, _due, pk in keys[start:stop]]
        rows = {row.pk: row for row in ServiceRequest.objects.filter(pk__in=ids)
                .select_related("account", "asset", "asset__product", "assignee", "queue")}
        return [rows[pk] for pk in ids]


def agent_queue(*, viewer: User) -> AgentQueue:
    """The agent's queue (see AgentQueue); slice it to read a page."""
    return AgentQueue(viewer)


def agent_is_available(user: User) -> bool:
    row = AgentAvailability.objects.filter(user=user).first()
    return True if row is None else row.available


def service_agents() -> QuerySet[User]:
    """Staff users who may work service requests (the assignee pickers' choices)."""
    roles = [role for role, capabilities in ROLE_CAPABILITIES.items()
             if Capability.MANAGE_SERVICE in capabilities]
    return User.objects.filter(is_active=True, kind=UserKind.STAFF,
                               role__in=roles).order_by("email")


def queue_list() -> QuerySet[ServiceQueue]:
    return ServiceQueue.objects.prefetch_related("agents").select_related("manager")


SLA_SOON = 2 * 3600  # seconds: "due soon" on the queue's badges


def sla_state(request: ServiceRequest, now: datetime) -> str:
    """The badge an agent sees: breached, paused, due_soon, on_track, met or none."""
    if request.breached:
        return "breached"
    if request.resolved_at is not None:
        return "met" if request.resolution_due is not None else "none"
    if request.paused_at is not None:
        return "paused"
    due = request.due_at if "due_at" in request.__dict__ else None
    if due is None:
        due = (request.first_response_due if request.first_response_at is None
               else request.resolution_due) or request.resolution_due
    if due is None:
        return "none"
    if due <= now:
        return "breached"
    return "due_soon" if (due - now).total_seconds() <= SLA_SOON else "on_track"


def asset_ancestors(*, asset: Asset) -> list[Asset]:
    """The systems ``asset`` is part of, outermost first (two queries)."""
    ids = asset_ancestor_ids(asset_id=asset.pk)[1:]
    if not ids:
        return []
    rows = {row.pk: row for row in Asset.objects.filter(pk__in=ids).select_related("product")}
    return [rows[pk] for pk in reversed(ids) if pk in rows]
