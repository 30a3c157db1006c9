"""The tenant's order settings: the approval chain's steps and the renewal reminder lead.
Administrators (MANAGE_SETTINGS) change them; every change is audited."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from crm.core.audit import audit_changes, audit_event, audit_snapshot
from crm.orders.models import ApprovalChainStep, ApproverKind, OrderSettings
from crm.staff.selectors import role_approval_limit
from tenants.users.models import Role, User, UserKind
from tenants.users.permissions import Capability, can

STEP_FIELDS = ("position", "label", "approver_kind", "role", "user", "min_amount")


def _require_admin(actor: User) -> None:
    if not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied(_("Only administrators change the order settings."))


def _clean_step(step: ApprovalChainStep) -> None:
    errors: dict[str, str] = {}
    step.label = (step.label or "").strip()[:100]
    if not step.label:
        errors["label"] = _("Name the step.")
    if step.min_amount is None or step.min_amount < 0:
        errors["min_amount"] = _("The amount is zero or more.")
    if step.approver_kind not in ApproverKind.values:
        errors["approver_kind"] = _("Choose who approves.")
    if step.approver_kind == ApproverKind.ROLE:
        if step.role not in Role.values:
            errors["role"] = _("Choose a role.")
        elif role_approval_limit(step.role) == Decimal(0):
            errors["role"] = _("This role has no approval limit: give it one under Roles "
                               "and limits first.")
    else:
        step.role = ""
    if step.approver_kind == ApproverKind.USER:
        if step.user is None or step.user.kind != UserKind.STAFF or not step.user.is_active:
            errors["user"] = _("Choose an active staff user.")
    else:
        step.user = None
    clash = ApprovalChainStep.objects.filter(position=step.position)
    if step.pk:
        clash = clash.exclude(pk=step.pk)
    if clash.exists():
        errors["position"] = _("Another step has this position.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def approval_chain_step_create(
    *, actor: User, label: str, approver_kind: str, min_amount: Decimal,
    role: str = "", user: User | None = None, position: int | None = None,
) -> ApprovalChainStep:
    _require_admin(actor)
    if position is None:
        last = ApprovalChainStep.objects.aggregate(m=models.Max("position"))["m"]
        position = (last or 0) + 1
    step = ApprovalChainStep(position=position, label=label, approver_kind=approver_kind,
                             role=role or "", user=user, min_amount=min_amount)
    _clean_step(step)
    step.save()
    audit_event(instance=step, action="settings.order_chain_step_created", actor=actor,
                data=audit_snapshot(step, STEP_FIELDS))
    return step


@transaction.atomic
def approval_chain_step_update(
    *, step: ApprovalChainStep, actor: User, label: str, approver_kind: str,
    min_amount: Decimal, position: int, role: str = "", user: User | None = None,
) -> ApprovalChainStep:
    _require_admin(actor)
    step = ApprovalChainStep.objects.select_for_update().get(pk=step.pk)
    before = audit_snapshot(step, STEP_FIELDS)
    step.label, step.approver_kind, step.min_amount = label, approver_kind, min_amount
    step.position, step.role, step.user = position, role or "", user
    _clean_step(step)
    step.save()
    audit_changes(instance=step, before=before, actor=actor,
                  action="settings.order_chain_step_updated")
    return step


@transaction.atomic
def approval_chain_step_delete(*, step: ApprovalChainStep, actor: User) -> None:
    """Remove a step; orders already submitted keep the plan they were submitted with."""
    _require_admin(actor)
    audit_event(instance=None, action="settings.order_chain_step_deleted", actor=actor,
                data=audit_snapshot(step, STEP_FIELDS))
    step.delete()


@transaction.atomic
def order_settings_update(*, actor: User, renewal_lead_days: int) -> OrderSettings:
    _require_admin(actor)
    if not 1 <= int(renewal_lead_days) <= 365:
        raise ValidationError({"renewal_lead_days": _("Between 1 and 365 days.")})
    settings_row, _created = OrderSettings.objects.select_for_update().get_or_create(pk=1)
    before = audit_snapshot(settings_row, ["renewal_lead_days"])
    settings_row.renewal_lead_days = int(renewal_lead_days)
    settings_row.save()
    audit_changes(instance=settings_row, before=before, actor=actor,
                  action="settings.orders_updated")
    return settings_row


# The chain every tenant starts with (issue 9's demo): the sales manager reviews, finance
# (the administrators) re-checks from 500,000 in the tenant currency.
DEFAULT_CHAIN = (
    (1, "Sales manager review", ApproverKind.TEAM_MANAGER, "", Decimal(0)),
    (2, "Finance re-check", ApproverKind.ROLE, Role.ADMIN, Decimal(500000)),
)


@transaction.atomic
def order_defaults_ensure() -> OrderSettings:
    """The tenant's order settings row, and the default chain the first time (a tenant whose
    settings row exists keeps its chain, even an empty one). Idempotent."""
    existing = OrderSettings.objects.filter(pk=1).first()
    if existing is not None:
        return existing
    settings_row = OrderSettings.objects.create(pk=1)
    if not ApprovalChainStep.objects.exists():
        ApprovalChainStep.objects.bulk_create([
            ApprovalChainStep(position=position, label=label, approver_kind=kind, role=role,
                              min_amount=amount)
            for position, label, kind, role, amount in DEFAULT_CHAIN])
    return settings_row
