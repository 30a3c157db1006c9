"""Discount approval: a quote whose largest effective discount is above the submitter's
role limit goes to someone whose limit covers it - the submitter's team managers first,
then up (the users who see every record: admins) - through the one approval trail
(crm.core.approvals). Within the limit, submitting approves at once."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.approvals import approval_decide, approval_open, next_round, pending_step
from crm.core.audit import audit_event
from crm.core.notifications import notify
from crm.core.visibility import team_manager_ids
from crm.quotes.models import Quote, QuoteStatus
from crm.quotes.services.lines import effective_discount
from crm.quotes.services.status import SUBMITTABLE, move
from crm.staff.selectors import role_discount_limit
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can


def _url(quote: Quote) -> str:
    return reverse("crm_quotes:quote_detail", args=[quote.pk])


def quote_max_discount(quote: Quote) -> Decimal:
    """The largest effective discount of the quote's lines (percent; see
    ``effective_discount``)."""
    return max((effective_discount(line=line, quote_discount=quote.discount_percent)
                for line in quote.lines.all()), default=Decimal(0))


def _percent(value: Decimal) -> str:
    """``Decimal("10.000")`` -> ``"10"`` (``normalize()`` alone would write ``1E+1``)."""
    return format(value.normalize(), "f")


def _covers(limit: Decimal | None, needed: Decimal) -> bool:
    return limit is None or needed <= limit


@dataclass(frozen=True)
class ApproverChoice:
    label: str
    users: list[User]


def approvers_for(*, author: User, needed: Decimal) -> ApproverChoice:
    """Who may approve a discount of ``needed`` % asked for by ``author``: the managers of
    the author's teams whose role limit covers it, else the users who see every record
    (admins) whose limit covers it. Never the author. Empty when nobody's limit covers it."""
    limits: dict[str, Decimal | None] = {}

    def limit_of(user: User) -> Decimal | None:
        if user.role not in limits:
            limits[user.role] = role_discount_limit(user.role)
        return limits[user.role]

    staff = User.objects.filter(is_active=True, kind=UserKind.STAFF).exclude(pk=author.pk)
    managers = [user for user in staff.filter(pk__in=team_manager_ids(author.pk))
                .order_by("pk") if _covers(limit_of(user), needed)]
    if managers:
        return ApproverChoice(label=str(_("Team manager")), users=managers)
    above = [user for user in staff.order_by("pk")
             if can(user, Capability.SEE_ALL_RECORDS) and can(user, Capability.MANAGE_SALES)
             and _covers(limit_of(user), needed)]
    return ApproverChoice(label=str(_("Administrator")), users=above)


def may_still_approve(*, quote: Quote, author: User | None, needed: Decimal, user: User
                      ) -> bool:
    """Whether ``user`` qualifies now as an approver of ``quote``'s discount of ``needed`` %
    (asked again when they decide: the candidates were chosen when the step opened): active
    staff, not the author, a team manager of the author or someone who sees every record and
    works sales, whose role limit covers the discount, and who may see the quote."""
    from crm.quotes.selectors import quote_visible_queryset

    if not user.is_active or user.kind != UserKind.STAFF:
        return False
    if author is not None and user.pk == author.pk:
        return False
    if not _covers(role_discount_limit(user.role), needed):
        return False
    manages_author = author is not None and user.pk in team_manager_ids(author.pk)
    above = can(user, Capability.SEE_ALL_RECORDS) and can(user, Capability.MANAGE_SALES)
    if not (manages_author or above):
        return False
    return quote_visible_queryset(user).filter(pk=quote.pk).exists()


@transaction.atomic
def quote_submit(*, quote: Quote, actor: User) -> Quote:
    """Submit a draft (or a portal request) for sending: approved at once when every line's
    effective discount is within ``actor``'s role limit, else pending the approval of
    someone whose limit covers it (notified by e-mail after commit)."""
    if not can(actor, Capability.EDIT_RECORDS):
        raise PermissionDenied(_("You may not submit quotes."))
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status not in SUBMITTABLE:
        raise ValidationError({"status": _("Only a draft or a requested quote is submitted.")},
                              code="illegal_transition")
    if not quote.lines.exists():
        raise ValidationError({"lines": _("A quote needs at least one line.")})
    if quote.valid_until is not None and quote.valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("The validity date is in the past.")})
    needed = quote_max_discount(quote)
    limit = role_discount_limit(actor.role)
    if _covers(limit, needed):
        move(quote, QuoteStatus.APPROVED)
        quote.save(update_fields=["status", "updated_at"])
        audit_event(instance=quote, actor=actor, action="quote.approved",
                    data={"discount": str(needed), "within_limit": True})
        return quote
    choice = approvers_for(author=actor, needed=needed)
    if not choice.users:
        raise ValidationError({"discount_percent": _(
            "Nobody's discount limit covers %(discount)s %%: lower the discount or ask an "
            "administrator to raise a limit.") % {"discount": _percent(needed)}})
    step = approval_open(
        quote, round=next_round(quote), step=1, candidates=choice.users,
        requested_by=actor, step_label=choice.label,
        reason=_("Discount of %(discount)s %% above the limit of %(limit)s %%") % {
            "discount": _percent(needed), "limit": _percent(limit or Decimal(0))})
    move(quote, QuoteStatus.PENDING_APPROVAL)
    quote.save(update_fields=["status", "updated_at"])
    audit_event(instance=quote, actor=actor, action="quote.submitted",
                data={"discount": str(needed), "approval": step.pk})
    notify(recipients=choice.users, actor=actor, verb="quote.approval_requested",
           message=_("%(number)s waits for your approval (discount %(discount)s %%).") % {
               "number": quote.display_number, "discount": _percent(needed)},
           target=quote, url=_url(quote), email=True)
    return quote


def _decide(*, quote: Quote, actor: User, approve: bool, comment: str) -> Quote:
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status != QuoteStatus.PENDING_APPROVAL:
        raise ValidationError({"status": _("This quote is not waiting for approval.")},
                              code="illegal_transition")
    step = pending_step(quote)
    if step is None:
        raise ValidationError({"status": _("This quote is not waiting for approval.")})
    author = (User.objects.filter(pk=step.requested_by_id).first()
              if step.requested_by_id is not None else None)
    needed = quote_max_discount(quote)
    approval_decide(step, actor=actor, approve=approve, comment=comment, target=quote,
                    still_eligible=lambda user: may_still_approve(
                        quote=quote, author=author, needed=needed, user=user))
    move(quote, QuoteStatus.APPROVED if approve else QuoteStatus.DRAFT)
    quote.save(update_fields=["status", "updated_at"])
    if approve:
        message = _("%(number)s was approved by %(name)s.")
    else:
        message = _("%(number)s was rejected by %(name)s: %(comment)s")
    notify(recipients=[author] if author else [], actor=actor,
           verb="quote.approved" if approve else "quote.approval_rejected",
           message=message % {"number": quote.display_number,
                              "name": actor.get_full_name() or actor.email,
                              "comment": comment.strip()},
           target=quote, url=_url(quote), email=True)
    return quote


@transaction.atomic
def quote_approve(*, quote: Quote, actor: User, comment: str = "") -> Quote:
    """An approver of the pending step approves the discount: the quote is approved and its
    author notified. Refuses the author themselves and anyone not among the approvers."""
    return _decide(quote=quote, actor=actor, approve=True, comment=comment)


@transaction.atomic
def quote_approval_reject(*, quote: Quote, actor: User, comment: str) -> Quote:
    """An approver rejects the discount with a comment: the quote is a draft again (the
    author changes and resubmits it; the trail keeps this round)."""
    return _decide(quote=quote, actor=actor, approve=False, comment=comment)
