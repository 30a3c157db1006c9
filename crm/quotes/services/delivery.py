"""Sending a quote, the customer's decision (by staff on their behalf, or by a portal
member through the same ``quote_accept``), and expiry by validity date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.core.events import emit
from crm.orders.models import Order
from crm.orders.services import order_from_quote
from crm.quotes.models import Quote, QuoteStatus
from crm.quotes.services.approval import quote_approval_reject
from crm.quotes.services.status import EXPIRING, move
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can


def _check_staff_may_act(actor: User) -> None:
    if not can(actor, Capability.EDIT_RECORDS):
        raise PermissionDenied(_("You may not change quotes."))


def _check_still_valid(quote: Quote) -> None:
    if quote.valid_until is not None and quote.valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("This quote has expired.")},
                              code="expired")


def _queue_email(quote_id: int) -> None:
    from crm.quotes.tasks import email_quote

    try:
        email_quote.delay(quote_id)
    except Exception:  # broker down: the quote is sent in the CRM; staff can resend the PDF
        import logging

        logging.getLogger(__name__).warning("Could not queue the e-mail of quote %s",
                                            quote_id)


@transaction.atomic
def quote_send(*, quote: Quote, actor: User) -> Quote:
    """Mark an approved quote sent (``sent_at``) and, after commit, e-mail its PDF to the
    quote's contact (when the contact has an e-mail address)."""
    _check_staff_may_act(actor)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    move(quote, QuoteStatus.SENT)
    _check_still_valid(quote)
    quote.sent_at = timezone.now()
    quote.save(update_fields=["status", "sent_at", "updated_at"])
    recipient = quote.contact.email if quote.contact_id and quote.contact else ""
    audit_event(instance=quote, actor=actor, action="quote.sent",
                data={"to": recipient})
    if recipient:
        quote_id = quote.pk
        transaction.on_commit(lambda: _queue_email(quote_id))
    return quote


@dataclass(frozen=True)
class QuoteAcceptance:
    quote: Quote
    order: Order


@transaction.atomic
def quote_accept(*, quote: Quote, actor: User, name: str, ip_address: str | None
                 ) -> QuoteAcceptance:
    """The customer accepts a sent quote: by staff on the customer's behalf, or by a portal
    member (the portal resolves the quote through the member's account first). Records who
    (the user and the name they gave), when and from which address; creates the order
    through crm.orders.services.order_from_quote; emits ``quote.accepted``."""
    if actor.kind == UserKind.STAFF:
        _check_staff_may_act(actor)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    name = (name or "").strip()
    if not name:
        name = actor.get_full_name() or actor.email
    move(quote, QuoteStatus.ACCEPTED)
    _check_still_valid(quote)
    quote.accepted_at = timezone.now()
    quote.accepted_by = actor
    quote.accepted_by_name = name[:200]
    quote.accepted_ip = ip_address or None
    quote.save(update_fields=["status", "accepted_at", "accepted_by", "accepted_by_name",
                              "accepted_ip", "updated_at"])
    order = order_from_quote(quote=quote, actor=actor)
    audit_event(instance=quote, actor=actor, action="quote.accepted",
                data={"name": quote.accepted_by_name, "order": order.pk},
                ip_address=ip_address)
    emit("quote.accepted", data={
        "quote": quote.pk, "number": quote.number, "revision": quote.revision,
        "account": quote.account_id, "order": order.pk, "currency": quote.currency,
        "total": str(quote.total), "accepted_by": quote.accepted_by_name,
        "accepted_at": quote.accepted_at.isoformat(),
    })
    return QuoteAcceptance(quote=quote, order=order)


@transaction.atomic
def quote_reject(*, quote: Quote, actor: User, comment: str) -> Quote:
    """Reject with a reason: a quote pending approval is the approver's rejection (back to
    draft, see ``quote_approval_reject``); a sent quote is rejected on the customer's
    behalf (status rejected, the reason kept)."""
    if quote.status == QuoteStatus.PENDING_APPROVAL:
        return quote_approval_reject(quote=quote, actor=actor, comment=comment)
    if actor.kind == UserKind.STAFF:
        _check_staff_may_act(actor)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say why the quote is rejected.")})
    move(quote, QuoteStatus.REJECTED)
    quote.rejected_reason = comment.strip()
    quote.save(update_fields=["status", "rejected_reason", "updated_at"])
    audit_event(instance=quote, actor=actor, action="quote.rejected",
                data={"reason": quote.rejected_reason})
    return quote


@transaction.atomic
def quotes_expire(*, today: date | None = None) -> int:
    """Every approved or sent quote whose validity date has passed becomes expired (in this
    tenant's schema). Idempotent; returns how many expired."""
    today = today or timezone.localdate()
    due = list(Quote.objects.select_for_update(skip_locked=True)
               .filter(status__in=EXPIRING, valid_until__lt=today).only("pk", "status"))
    for quote in due:
        audit_event(instance=quote, actor=None, action="quote.expired",
                    data={"on": today.isoformat()})
    Quote.objects.filter(pk__in=[quote.pk for quote in due]).update(
        status=QuoteStatus.EXPIRED, updated_at=timezone.now())
    return len(due)
