"""Order reads the pages, the API, the portal and exports share.

Visibility: orders follow their owner through crm.core.visibility (a rep sees their own,
their teams' and unowned orders; a manager the teams they manage; admins and read-only users
all). Only users who work sales (MANAGE_SALES) or see every record read orders at all.
``order_get_for`` is the ONE accessor by id: "missing", "not yours" and garbage ids are the
same 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from crm.core.approvals import approval_inbox
from crm.core.models import Approval, ApprovalDecision
from crm.core.visibility import scope_by_owner
from crm.orders.models import (
    ApprovalChainStep,
    Order,
    OrderDelivery,
    OrderDeliveryLine,
    OrderLine,
    OrderSettings,
    OrderStatus,
)
from tenants.users.models import User
from tenants.users.permissions import Capability, can

# Statuses of an order in force (approved, delivering or delivered).
IN_FORCE = (OrderStatus.APPROVED, OrderStatus.PARTLY_DELIVERED, OrderStatus.DELIVERED)


def may_read_orders(viewer: User) -> bool:
    return can(viewer, Capability.MANAGE_SALES) or can(viewer, Capability.SEE_ALL_RECORDS)


def order_visible_queryset(viewer: User) -> QuerySet[Order]:
    """Every order ``viewer`` may see (by its owner), nothing for users who do not work
    sales."""
    if not may_read_orders(viewer):
        return Order.objects.none()
    return scope_by_owner(Order.objects.all(), viewer)


def _approvals_prefetch() -> Prefetch:
    return Prefetch("approvals", queryset=Approval.objects.select_related(
        "decided_by", "requested_by").prefetch_related("candidates")
        .order_by("round", "step", "pk"))


def order_list(*, viewer: User) -> QuerySet[Order]:
    """The list pages' rows: visible orders with account and owner loaded."""
    return (order_visible_queryset(viewer).select_related("account", "owner")
            .order_by("-ordered_on", "-pk"))


def order_api_list(*, viewer: User) -> QuerySet[Order]:
    """Visible orders with everything the API nests (lines, approvals, amendment link)."""
    return (order_visible_queryset(viewer)
            .select_related("amendment")
            .prefetch_related(
                Prefetch("lines", queryset=OrderLine.objects.select_related("product")
                         .order_by("position", "pk")),
                _approvals_prefetch())
            .order_by("-ordered_on", "-pk"))


def order_get_for(*, viewer: User, order_id: int | str) -> Order:
    """The order by id if ``viewer`` may see it; Http404 otherwise (garbage ids included).
    Lines and the approval trail come preloaded."""
    try:
        pk = int(order_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if pk <= 0 or pk > 2**63 - 1:
        raise Http404
    order = (order_api_list(viewer=viewer)
             .select_related("account", "owner", "contact", "opportunity", "quote",
                             "amends", "created_by", "submitted_by")
             .filter(pk=pk).first())
    if order is None:
        raise Http404
    return order


def order_line_get(*, order: Order, line_id: int | str) -> OrderLine | None:
    """A line of ``order`` (already visible) by id, None when it is not one of its lines."""
    try:
        pk = int(line_id)
    except (TypeError, ValueError):
        return None
    return next((line for line in order.lines.all() if line.pk == pk), None)


def order_revisions(order: Order) -> list[Order]:
    """Every revision of the order's number, oldest first (visibility: the caller already
    may see ``order``, and revisions share its account and owner lineage)."""
    return list(Order.objects.filter(number=order.number).only(
        "pk", "number", "revision", "status", "total", "currency", "approved_at")
        .order_by("revision"))


def order_deliveries(order: Order) -> QuerySet[OrderDelivery]:
    return (order.deliveries.select_related("delivered_by")
            .prefetch_related(Prefetch("lines", queryset=OrderDeliveryLine.objects
                                       .select_related("order_line", "order_line__product")))
            .order_by("-delivered_on", "-pk"))


@dataclass(frozen=True)
class TrailEntry:
    round: int
    step: int
    label: str
    approver_ids: list[int]
    approvers: list[User]
    decided_by: User | None
    decision: str
    comment: str
    requested_at: datetime
    decided_at: datetime | None


def approval_trail(order: Order) -> list[TrailEntry]:
    """Every step of every round of ``order`` (prefetched by the accessor), oldest first."""
    entries = []
    for approval in order.approvals.all():
        candidates = list(approval.candidates.all())
        entries.append(TrailEntry(
            round=approval.round, step=approval.step, label=approval.step_label,
            approver_ids=[user.pk for user in candidates], approvers=candidates,
            decided_by=approval.decided_by, decision=approval.decision,
            comment=approval.comment, requested_at=approval.requested_at,
            decided_at=approval.decided_at))
    return entries


def pending_approval_of(order: Order) -> Approval | None:
    return next((approval for approval in order.approvals.all()
                 if approval.decision == ApprovalDecision.PENDING), None)


def may_decide(order: Order, viewer: User) -> bool:
    """True when ``viewer`` is a candidate of the order's pending step (not their own)."""
    pending = pending_approval_of(order)
    if pending is None or pending.requested_by_id == viewer.pk:
        return False
    return any(user.pk == viewer.pk for user in pending.candidates.all())


def order_approval_inbox(*, viewer: User) -> QuerySet[Order]:
    """Orders waiting for ``viewer``'s decision (the pending step lists them), newest
    submission first, limited to orders they may see."""
    content_type = ContentType.objects.get_for_model(Order)
    waiting = approval_inbox(viewer).filter(content_type=content_type).values("object_id")
    return (order_visible_queryset(viewer).filter(pk__in=waiting,
                                                  status=OrderStatus.PENDING_APPROVAL)
            .select_related("account", "owner", "submitted_by")
            .prefetch_related(_approvals_prefetch())
            .order_by("-submitted_at", "-pk"))


def account_orders(*, viewer: User, account_ids: list[int], limit: int = 10) -> list[Order]:
    """The latest visible orders of these accounts (the account page's panel)."""
    return list(order_visible_queryset(viewer).filter(account_id__in=account_ids)
                .exclude(status=OrderStatus.SUPERSEDED).select_related("account")
                .order_by("-ordered_on", "-pk")[:limit])


def approval_chain_steps() -> QuerySet[ApprovalChainStep]:
    return ApprovalChainStep.objects.select_related("user").order_by("position", "pk")


def approval_chain_step_get(step_id: int | str) -> ApprovalChainStep:
    try:
        pk = int(step_id)
    except (TypeError, ValueError):
        raise Http404 from None
    step = ApprovalChainStep.objects.filter(pk=pk).first()
    if step is None:
        raise Http404
    return step


def order_settings_get() -> OrderSettings:
    """The tenant's order settings (defaults while the row does not exist)."""
    return OrderSettings.objects.filter(pk=1).first() or OrderSettings(pk=1)


def tenant_currency() -> str:
    """The workspace currency approval thresholds are expressed in."""
    return str(getattr(getattr(connection, "tenant", None), "currency", "") or "USD").upper()
