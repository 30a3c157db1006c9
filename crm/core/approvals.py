"""The one approval trail: open a step, decide it, list what waits for a user.

Quotes (discount above the author's limit), orders (the amount-threshold chain) and
expenses (authority limits) each decide *which* steps a record needs and *who* may approve
each; this module keeps the rules every approval shares: a step lists its candidate
approvers, only a candidate decides, nobody decides their own request, a decision is final
and audited, and a new submission starts a new round so earlier decisions stay readable."""

from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.core.models import Approval, ApprovalDecision
from tenants.users.models import User


def _ct(target: models.Model) -> ContentType:
    return ContentType.objects.get_for_model(type(target))


def approvals_for(target: models.Model) -> QuerySet[Approval]:
    """Every step of every round for ``target``, oldest first, with the people preloaded."""
    return (Approval.objects.filter(content_type=_ct(target), object_id=target.pk)
            .select_related("requested_by", "decided_by").order_by("round", "step", "pk"))


def next_round(target: models.Model) -> int:
    last = (Approval.objects.filter(content_type=_ct(target), object_id=target.pk)
            .aggregate(m=models.Max("round"))["m"])
    return (last or 0) + 1


@transaction.atomic
def approval_open(
    target: models.Model, *, round: int, step: int, candidates: Iterable[User],
    requested_by: User | None, step_label: str = "", reason: str = "",
) -> Approval:
    """Open step ``step`` of ``round``; the requester is never among its candidates."""
    people = [u for u in candidates if u is not None and u.is_active
              and (requested_by is None or u.pk != requested_by.pk)]
    if not people:
        raise ValidationError(_("Nobody can approve this step: ask an administrator to set "
                                "approval limits or managers."))
    approval = Approval.objects.create(
        content_type=_ct(target), object_id=target.pk, round=round, step=step,
        step_label=step_label[:100], requested_by=requested_by, reason=reason[:300],
    )
    approval.candidates.set(people)
    return approval


def pending_step(target: models.Model) -> Approval | None:
    return (approvals_for(target).filter(decision=ApprovalDecision.PENDING)
            .order_by("round", "step", "pk").first())


@transaction.atomic
def approval_decide(approval: Approval, *, actor: User, approve: bool, comment: str = "",
                    target: models.Model | None = None,
                    still_eligible: Callable[[User], bool] | None = None) -> Approval:
    """Record ``actor``'s decision on a pending step; refuses non-candidates, self-approval
    and candidates who no longer qualify. The candidates were chosen when the step opened;
    by the time of the decision a candidate may have been deactivated or lost the role,
    limit or visibility that made them one, so ``still_eligible`` (the record type's rule,
    asked again now) must accept ``actor`` too."""
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    if approval.decision != ApprovalDecision.PENDING:
        raise ValidationError(_("This step has already been decided."))
    if approval.requested_by_id == actor.pk:
        raise PermissionDenied(_("You cannot approve your own request."))
    if not approval.candidates.filter(pk=actor.pk).exists():
        raise PermissionDenied(_("You are not an approver of this step."))
    fresh = User.objects.filter(pk=actor.pk).first()
    if fresh is None or not fresh.is_active or \
            (still_eligible is not None and not still_eligible(fresh)):
        raise PermissionDenied(_("You can no longer approve this step: your role, approval "
                                 "limit or access has changed since it was opened."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Say why you reject it.")})
    approval.decision = ApprovalDecision.APPROVED if approve else ApprovalDecision.REJECTED
    approval.decided_by = actor
    approval.decided_at = timezone.now()
    approval.comment = comment.strip()
    approval.save(update_fields=["decision", "decided_by", "decided_at", "comment"])
    if target is not None:
        audit_event(instance=target, actor=actor,
                    action="approval.approved" if approve else "approval.rejected",
                    data={"step": approval.step, "round": approval.round,
                          "comment": approval.comment})
    return approval


def approvals_withdraw(target: models.Model) -> int:
    """Close every still-pending step of ``target`` (it was edited or withdrawn)."""
    return (Approval.objects.filter(content_type=_ct(target), object_id=target.pk,
                                    decision=ApprovalDecision.PENDING)
            .update(decision=ApprovalDecision.WITHDRAWN, decided_at=timezone.now()))


def approval_inbox(user: User) -> QuerySet[Approval]:
    """Pending steps ``user`` may decide, newest first."""
    return (Approval.objects.filter(candidates=user, decision=ApprovalDecision.PENDING)
            .exclude(requested_by=user).select_related("content_type", "requested_by")
            .order_by("-requested_at"))
