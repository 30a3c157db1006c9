"""The order approval chain on the one approval trail (crm.core.approvals).

Which steps an order needs: the tenant's ``ApprovalChainStep`` rows whose ``min_amount`` the
order's total reaches, compared in the tenant currency. An order in another currency cannot
be compared (the tenant has no exchange rates yet), so it needs every step. The plan is fixed
when the order is submitted; each step opens when the one before it is approved.

Who may approve a step: the author's team managers (crm.core.visibility), everyone with a
role, or one person; never the author, the owner or the creator of the order ("nobody
approves their own"), nor anyone who decided an earlier step of the same round (one
person, one step); only people whose role has an approval limit at all (a rep's is 0); on
the step that gives the final approval only people whose limit covers the total (in another
currency: an unlimited one); only people who may see the order. When nobody is left, the
step goes up to everyone whose limit covers the total. Rejection returns the order to draft
for its author; the next submission is a new round, earlier rounds stay in the trail.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.approvals import (
    approval_decide,
    approval_open,
    approvals_for,
    next_round,
    pending_step,
)
from crm.core.audit import audit_event
from crm.core.events import emit
from crm.core.models import Approval
from crm.core.notifications import notify
from crm.core.visibility import team_manager_ids
from crm.orders.models import ApproverKind, Order, OrderStatus
from crm.orders.selectors import approval_chain_steps, order_visible_queryset, tenant_currency
from crm.staff.selectors import role_approval_limit
from tenants.users.models import Role, User, UserKind
from tenants.users.permissions import Capability, can


def order_url(order: Order) -> str:
    try:
        return reverse("crm_orders:order_detail", args=[order.pk])
    except NoReverseMatch:  # pages not wired in (a URLconf without the CRM)
        return ""


class _Limits:
    """Role approval limits, read once per submission or decision."""

    def __init__(self) -> None:
        self._cache: dict[str, Decimal | None] = {}

    def of(self, role: str) -> Decimal | None:
        if role not in self._cache:
            self._cache[role] = role_approval_limit(role)
        return self._cache[role]

    def may_approve(self, role: str) -> bool:
        limit = self.of(role)
        return limit is None or limit > 0

    def covers(self, role: str, amount: Decimal, *, comparable: bool) -> bool:
        limit = self.of(role)
        if limit is None:
            return True
        return comparable and limit >= amount


def amount_is_comparable(order: Order) -> bool:
    """Thresholds and limits are in the tenant currency; no exchange rates yet."""
    return order.currency.upper() == tenant_currency()


def approval_plan_for(order: Order, *, submitter: User) -> list[dict[str, Any]]:
    """The steps ``order`` needs (see the module docstring); an empty list when the tenant
    has no applicable step and the submitter's own limit covers the order."""
    comparable = amount_is_comparable(order)
    plan = [
        {"label": step.label, "kind": step.approver_kind, "role": step.role,
         "user": step.user_id, "min_amount": str(step.min_amount)}
        for step in approval_chain_steps()
        if not comparable or order.total >= step.min_amount
    ]
    if not plan:
        limits = _Limits()
        if limits.covers(submitter.role, order.total, comparable=comparable):
            return []
        plan = [{"label": str(_("Approval")), "kind": "limit", "role": "", "user": None,
                 "min_amount": "0"}]
    for position, step in enumerate(plan, start=1):
        step["position"] = position
        step["final"] = position == len(plan)
    return plan


def _own_people(order: Order) -> set[int]:
    return {pk for pk in (order.submitted_by_id, order.owner_id, order.created_by_id) if pk}


def _staff(ids: Iterable[int] | None = None, *, role: str | None = None) -> list[User]:
    queryset = User.objects.filter(kind=UserKind.STAFF, is_active=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    if role is not None:
        queryset = queryset.filter(role=role)
    return list(queryset.order_by("pk"))


def _sees(user: User, order: Order) -> bool:
    return order_visible_queryset(user).filter(pk=order.pk).exists()


def earlier_deciders(order: Order, *, round_number: int, position: int) -> set[int]:
    """Who decided a step before ``position`` in ``round_number``: one person decides one
    step of a round (a later step is a second pair of eyes, not the same one again)."""
    return set(approvals_for(order).filter(round=round_number, step__lt=position,
                                           decided_by__isnull=False)
               .values_list("decided_by_id", flat=True))


def step_candidates(order: Order, step: dict[str, Any], *, round_number: int,
                    limits: _Limits | None = None) -> tuple[list[User], bool]:
    """Who may decide ``step`` of ``order`` in ``round_number`` now, and whether it went up
    (escalated); never someone who decided an earlier step of the round."""
    limits = limits or _Limits()
    comparable = amount_is_comparable(order)
    own = _own_people(order) | earlier_deciders(
        order, round_number=round_number, position=int(step.get("position") or 1))
    kind = step.get("kind")
    if kind == ApproverKind.TEAM_MANAGER and order.submitted_by_id:
        people = _staff(team_manager_ids(order.submitted_by_id))
    elif kind == ApproverKind.ROLE and step.get("role"):
        people = _staff(role=step["role"])
    elif kind == ApproverKind.USER and step.get("user"):
        people = _staff([step["user"]])
    else:
        people = []

    def fits(user: User) -> bool:
        if user.pk in own or not can(user, Capability.USE_CRM):
            return False
        if not limits.may_approve(user.role):
            return False
        if step.get("final") and not limits.covers(user.role, order.total,
                                                   comparable=comparable):
            return False
        return _sees(user, order)

    chosen = [user for user in people if fits(user)]
    if chosen:
        return chosen, False
    covering = [role for role in Role.values
                if limits.may_approve(role)
                and limits.covers(role, order.total, comparable=comparable)]
    above = [user for role in covering for user in _staff(role=role)]
    others = [user for user in above if user.pk not in own and _sees(user, order)]
    if others:
        return others, True
    # A small company may have one person who can approve at all: rather than an order
    # nobody can ever approve, they decide this step too (the trail shows it, with the
    # reason). The submitter, owner and author never do.
    same = [user for user in above if user.pk not in _own_people(order) and _sees(user, order)]
    return same, True



def may_still_decide(order: Order, step: dict[str, Any], user: User, *,
                     limits: _Limits | None = None) -> bool:
    """Whether ``user`` qualifies now to decide ``step`` of ``order`` (asked again when they
    decide: the candidates were chosen when the step opened). The rules of
    ``step_candidates``: active staff with CRM access, not the order's own people, who may
    see the order, and either the step's approver (its team manager, role or person) whose
    limit allows approving (covering the total on the final step), or someone whose limit
    covers the total (the step went up)."""
    limits = limits or _Limits()
    if not user.is_active or user.kind != UserKind.STAFF or not can(user, Capability.USE_CRM):
        return False
    if user.pk in _own_people(order) or not limits.may_approve(user.role):
        return False
    comparable = amount_is_comparable(order)
    covers = limits.covers(user.role, order.total, comparable=comparable)
    kind = step.get("kind")
    if kind == ApproverKind.TEAM_MANAGER:
        named = order.submitted_by_id is not None and user.pk in team_manager_ids(
            order.submitted_by_id)
    elif kind == ApproverKind.ROLE:
        named = bool(step.get("role")) and user.role == step["role"]
    elif kind == ApproverKind.USER:
        named = step.get("user") == user.pk
    else:
        named = False
    if not (covers or (named and not step.get("final"))):
        return False
    return _sees(user, order)


def _open_step(order: Order, *, round_number: int, position: int, actor: User) -> None:
    step = order.approval_plan[position - 1]
    candidates, escalated = step_candidates(order, step, round_number=round_number)
    reason = _("No approver at this step could decide it; it went up.") if escalated else ""
    earlier = earlier_deciders(order, round_number=round_number, position=position)
    if candidates and all(user.pk in earlier for user in candidates):
        reason = _(
            "Nobody else can approve this step, so the approver of an earlier step decides "
            "it too.")
    approval_open(order, round=round_number, step=position, candidates=candidates,
                  requested_by=order.submitted_by, step_label=str(step["label"]), reason=reason)
    notify(recipients=candidates, actor=actor, verb="order.approval_requested",
           message=_("%(number)s (%(account)s) waits for your approval: %(step)s.")
           % {"number": order.display_number, "account": order.account.name,
              "step": step["label"]},
           target=order, url=order_url(order), email=True)


def _lock(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("account").get(pk=order.pk)


@transaction.atomic
def order_submit(*, order: Order, actor: User) -> Order:
    """Send a draft for approval along the tenant's chain (a new round each time)."""
    order = _lock(order)
    if not can(actor, Capability.EDIT_RECORDS):
        raise PermissionDenied(_("You may not submit orders."))
    if order.status != OrderStatus.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."))
    order.submitted_by = actor
    order.submitted_at = timezone.now()
    order.approval_plan = approval_plan_for(order, submitter=actor)
    round_number = next_round(order)
    audit_event(instance=order, action="order.submitted", actor=actor,
                data={"round": round_number, "steps": [s["label"] for s in order.approval_plan],
                      "total": str(order.total), "currency": order.currency})
    if not order.approval_plan:
        order.save(update_fields=["submitted_by", "submitted_at", "approval_plan",
                                  "updated_at"])
        return _finish(order, actor=actor)
    order.status = OrderStatus.PENDING_APPROVAL
    order.save(update_fields=["status", "submitted_by", "submitted_at", "approval_plan",
                              "updated_at"])
    _open_step(order, round_number=round_number, position=1, actor=actor)
    return order


def _status_from_lines(order: Order) -> str:
    lines = list(order.lines.all())
    delivered = [line.delivered_quantity for line in lines]
    if lines and all(line.delivered_quantity >= line.quantity for line in lines):
        return OrderStatus.DELIVERED
    if any(amount > 0 for amount in delivered):
        return OrderStatus.PARTLY_DELIVERED
    return OrderStatus.APPROVED


def _finish(order: Order, *, actor: User) -> Order:
    """The last step approved (or none needed): the order is in force and locked."""
    order.status = _status_from_lines(order)
    order.approved_at = timezone.now()
    order.save(update_fields=["status", "approved_at", "updated_at"])
    superseded = None
    if order.amends_id:
        previous = Order.objects.select_for_update().get(pk=order.amends_id)
        previous.status = OrderStatus.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
        superseded = previous.pk
        audit_event(instance=previous, action="order.superseded", actor=actor,
                    data={"by": order.pk, "revision": order.revision})
    audit_event(instance=order, action="order.approved", actor=actor,
                data={"total": str(order.total), "currency": order.currency,
                      "supersedes": superseded})
    emit("order.approved", data={
        "order": order.pk, "number": order.number, "revision": order.revision,
        "kind": order.kind, "account": order.account_id, "owner": order.owner_id,
        "currency": order.currency, "total": str(order.total), "supersedes": superseded,
    })
    notify(recipients=[u for u in (order.submitted_by, order.owner) if u is not None],
           actor=actor, verb="order.approved",
           message=_("%(number)s is approved.") % {"number": order.display_number},
           target=order, url=order_url(order), email=True)
    return order


def _check_not_decided_before(order: Order, *, step: Approval, actor: User) -> None:
    earlier = earlier_deciders(order, round_number=step.round, position=step.step)
    if earlier and set(step.candidates.values_list("pk", flat=True)) <= earlier:
        return  # nobody else could decide it (step_candidates' last resort)
    if actor.pk in earlier:
        raise PermissionDenied(_("You decided an earlier step of this approval; someone else "
                                 "must decide this one."))


@transaction.atomic
def order_approve(*, order: Order, actor: User, comment: str = "") -> Order:
    """Approve the pending step; the next one opens, or the order is approved."""
    order = _lock(order)
    if order.status != OrderStatus.PENDING_APPROVAL:
        raise ValidationError(_("This order is not waiting for approval."))
    step = pending_step(order)
    if step is None:
        raise ValidationError(_("This order is not waiting for approval."))
    _check_not_decided_before(order, step=step, actor=actor)
    plan_step = order.approval_plan[step.step - 1]
    approval_decide(step, actor=actor, approve=True, comment=comment, target=order,
                    still_eligible=lambda user: may_still_decide(order, plan_step, user))
    if step.step < len(order.approval_plan):
        _open_step(order, round_number=step.round, position=step.step + 1, actor=actor)
        return order
    return _finish(order, actor=actor)


@transaction.atomic
def order_reject(*, order: Order, actor: User, comment: str) -> Order:
    """Reject the pending step (a comment is required): the order goes back to draft for its
    author, who is notified."""
    order = _lock(order)
    if order.status != OrderStatus.PENDING_APPROVAL:
        raise ValidationError(_("This order is not waiting for approval."))
    step = pending_step(order)
    if step is None:
        raise ValidationError(_("This order is not waiting for approval."))
    _check_not_decided_before(order, step=step, actor=actor)
    plan_step = order.approval_plan[step.step - 1]
    approval_decide(step, actor=actor, approve=False, comment=comment, target=order,
                    still_eligible=lambda user: may_still_decide(order, plan_step, user))
    order.status = OrderStatus.DRAFT
    order.save(update_fields=["status", "updated_at"])
    notify(recipients=[u for u in (order.submitted_by, order.owner) if u is not None],
           actor=actor, verb="order.rejected",
           message=_("%(number)s was rejected at “%(step)s”: %(comment)s")
           % {"number": order.display_number, "step": step.step_label,
              "comment": comment.strip()},
           target=order, url=order_url(order), email=True)
    return order
