"""Quote builder commands for portal members (one transaction each, keyword-only). Every rule
of what a member may put in a basket, request, accept or reject lives here; the pages and
the member API only parse and render.

- Lines: active catalog products only, a quantity above 0 and at most ``MAX_QUANTITY``
  with at most three decimals, at most ``MAX_LINES`` lines. Errors name the line:
  ``{"lines.2.quantity": [...]}`` (``{"lines": [...]}`` for the list as a whole).
- Prices and totals: crm.quotes' pricing and totals services for the member's current
  account, the same call as the staff editor and ``quote_request_create`` (one rule).
- A request is ``quote_request_create`` (status requested, owned by the account's owner);
  the staff are notified in the CRM and by e-mail, queued after commit.
- Accept and reject: a quote the member sees (portal.selectors), sent to them and still
  valid; crm.quotes.services records the decision and makes the order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.core.money import to_decimal
from crm.core.notifications import notify
from crm.quotes.models import Quote, QuoteStatus
from crm.quotes.services import (
    QuoteAcceptance,
    QuoteLineInput,
    TotalsPreview,
    quote_accept,
    quote_reject,
    quote_request_create,
    quote_totals_preview,
)
from portal import selectors
from portal.models import PortalMembership
from portal.quote_builder.models import QuoteDraft, QuoteDraftLine
from portal.quote_builder.selectors import member_catalog_product_ids, quote_awaits_answer
from portal.selectors import PortalScope
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

MAX_LINES = 100
MAX_QUANTITY = Decimal(1_000_000)
QUANTITY_STEP = Decimal("0.001")  # QuoteLine.quantity has three decimals
MAX_NOTE = 2000
MAX_REASON = 2000
MAX_NAME = 200
MAX_DRAFTS = 50


@dataclass(frozen=True)
class BasketLine:
    """One line as a member gives it (strings from a form, numbers from JSON)."""

    product: Any
    quantity: Any


def _check_member(member: User, membership: PortalMembership) -> None:
    if member.kind != UserKind.MEMBER or membership.user_id != member.pk \
            or not membership.is_active:
        raise ValidationError({"account": _("Choose one of your accounts.")})


def _quantity(raw: Any) -> Decimal | None:
    try:
        if isinstance(raw, float):  # JSON numbers: 2.5 is meant as "2.5"
            raw = str(raw)
        return to_decimal(raw, field="quantity")
    except ValidationError:
        return None


def basket_lines_clean(lines: Sequence[BasketLine]) -> list[QuoteLineInput]:
    """The member's lines as quote lines (products resolved in one query), or a
    ValidationError naming every bad line's field."""
    if not lines:
        raise ValidationError({"lines": _("Add at least one product.")}, code="required")
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": _("A quote request has at most %(count)s lines.")
                               % {"count": MAX_LINES}}, code="too_many")
    wanted: list[int | None] = []
    for line in lines:
        try:
            wanted.append(int(str(line.product)) if not isinstance(line.product, bool)
                          else None)
        except (TypeError, ValueError):
            wanted.append(None)
    products = member_catalog_product_ids(pk for pk in wanted if pk is not None)
    errors: dict[str, list[str]] = {}
    inputs: list[QuoteLineInput] = []
    for index, (line, product_id) in enumerate(zip(lines, wanted, strict=True)):
        product = products.get(product_id) if product_id is not None else None
        if product is None:
            errors[f"lines.{index}.product"] = [_("Choose a product from the catalog.")]
        quantity = _quantity(line.quantity)
        if quantity is None:
            errors[f"lines.{index}.quantity"] = [_("Enter a number.")]
        elif quantity <= 0:
            errors[f"lines.{index}.quantity"] = [_("The quantity must be more than 0.")]
        elif quantity > MAX_QUANTITY:
            errors[f"lines.{index}.quantity"] = [
                _("At most %(max)s per line; ask us for larger quantities.")
                % {"max": f"{MAX_QUANTITY:,}"}]
        elif quantity != quantity.quantize(QUANTITY_STEP):
            errors[f"lines.{index}.quantity"] = [_("At most three decimals.")]
        if product is not None and quantity is not None and f"lines.{index}.quantity" \
                not in errors:
            inputs.append(QuoteLineInput(quantity=quantity, product=product))
    if errors:
        raise ValidationError(errors, code="invalid")
    return inputs


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("At most %(count)s characters.")
                               % {"count": MAX_NOTE}})
    return note


def member_quote_preview(*, member: User, membership: PortalMembership,
                         lines: Sequence[BasketLine]) -> TotalsPreview:
    """What the basket would cost the member's account now: the pricing service's unit
    prices and the totals rule (nothing saved). The builder asks this as the member types."""
    _check_member(member, membership)
    inputs = basket_lines_clean(lines)
    return quote_totals_preview(account=membership.account, currency="", lines=inputs)


# --- baskets -----------------------------------------------------------------------------

def _store_draft_lines(draft: QuoteDraft, inputs: Sequence[QuoteLineInput]) -> None:
    draft.lines.all().delete()
    QuoteDraftLine.objects.bulk_create([
        QuoteDraftLine(draft=draft, position=position, product=line.product,
                       quantity=line.quantity)
        for position, line in enumerate(inputs, start=1)])


@transaction.atomic
def member_quote_draft_save(*, member: User, membership: PortalMembership,
                            lines: Sequence[BasketLine], note: str = "",
                            draft: QuoteDraft | None = None) -> QuoteDraft:
    """Save the member's basket for their current account (a new draft, or ``draft``, one
    of theirs for that account, replaced). At most ``MAX_DRAFTS`` per member and account."""
    _check_member(member, membership)
    inputs = basket_lines_clean(lines)
    note = _note(note)
    if draft is None:
        count = QuoteDraft.objects.filter(member_id=member.pk,
                                          account_id=membership.account_id).count()
        if count >= MAX_DRAFTS:
            raise ValidationError({"lines": _(
                "You have %(count)s saved drafts for this account: submit or delete one "
                "first.") % {"count": count}}, code="too_many")
        draft = QuoteDraft.objects.create(member=member, account_id=membership.account_id,
                                          note=note)
    else:
        draft = QuoteDraft.objects.select_for_update().get(pk=draft.pk)
        if draft.member_id != member.pk or draft.account_id != membership.account_id:
            raise ValidationError({"draft": _("This draft is not yours.")})
        draft.note = note
        draft.save(update_fields=["note", "updated_at"])
    _store_draft_lines(draft, inputs)
    return draft


@transaction.atomic
def member_quote_draft_delete(*, member: User, draft: QuoteDraft) -> None:
    """Delete one of the member's own drafts."""
    if draft.member_id != member.pk:
        raise ValidationError({"draft": _("This draft is not yours.")})
    QuoteDraft.objects.filter(pk=draft.pk).delete()


# --- requests ----------------------------------------------------------------------------

def _staff_to_notify(quote: Quote) -> list[User]:
    """The quote's owner; for an account without an owner (in the pool), everyone who may
    assign records in sales (as for portal inquiries)."""
    if quote.owner is not None and quote.owner.is_active and quote.owner.kind == UserKind.STAFF:
        return [quote.owner]
    staff = User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by("id")
    return [user for user in staff if can(user, Capability.ASSIGN_RECORDS)
            and can(user, Capability.MANAGE_SALES)]


@transaction.atomic
def member_quote_request_submit(*, member: User, membership: PortalMembership,
                                lines: Sequence[BasketLine], note: str = "",
                                draft: QuoteDraft | None = None) -> Quote:
    """Submit the basket as a quote request for the member's current account and contact
    (crm.quotes.services.quote_request_create: status requested, priced and totalled by
    the CRM, owned by the account's owner). ``draft``, one of the member's, is used up. The
    staff are told in the CRM; their e-mail is queued after commit."""
    _check_member(member, membership)
    inputs = basket_lines_clean(lines)
    note = _note(note)
    account = membership.account
    # The contact may be at another account of the group (a purchasing agent): the request
    # is then tied to the member alone (requested_by), as the selectors read it.
    contact = membership.contact if membership.contact.account_id == account.pk else None
    quote = quote_request_create(account=account, requested_by=member, lines=inputs,
                                 note=note, contact=contact)
    if draft is not None:
        if draft.member_id != member.pk or draft.account_id != account.pk:
            raise ValidationError({"draft": _("This draft is not yours.")})
        QuoteDraft.objects.filter(pk=draft.pk).delete()
    quote = Quote.objects.select_related("owner", "account").get(pk=quote.pk)
    notify(recipients=_staff_to_notify(quote), actor=None, verb="portal_quote_request",
           message=_("%(member)s requested quote %(number)s for %(account)s") % {
               "member": member.get_full_name() or member.email, "number": quote.number,
               "account": account.name},
           target=quote, url=reverse("crm_quotes:quote_detail", args=[quote.pk]),
           email=True)
    return quote


# --- the customer's decision -------------------------------------------------------------

def _decidable(*, member: User, quote_id: int | str, scope: PortalScope | None) -> Quote:
    if scope is None or scope.user_id != member.pk:
        scope = selectors.member_scope(member)
    quote = selectors.member_quote_get(scope, quote_id)
    if quote.status != QuoteStatus.SENT:
        raise ValidationError({"status": _(
            "Only a quote sent to you and waiting for your answer can be accepted or "
            "rejected; this one is %(status)s.") % {
                "status": QuoteStatus(quote.status).label}}, code="illegal_transition")
    if not quote_awaits_answer(quote):
        raise ValidationError({"valid_until": _("This quote has expired.")}, code="expired")
    return quote


@transaction.atomic
def member_quote_accept(*, member: User, quote_id: int | str, name: str,
                        ip_address: str | None, scope: PortalScope | None = None
                        ) -> QuoteAcceptance:
    """The member accepts a quote they see (Http404 otherwise, before anything else is
    checked) that was sent and is still valid, signing with their typed name; the time and
    address are recorded and the order is made by crm.quotes.services.quote_accept (through
    the orders service)."""
    quote = _decidable(member=member, quote_id=quote_id, scope=scope)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Type your name to accept the quote.")},
                              code="required")
    if len(name) > MAX_NAME:
        raise ValidationError({"name": _("At most %(count)s characters.")
                               % {"count": MAX_NAME}})
    return quote_accept(quote=quote, actor=member, name=name, ip_address=ip_address)


@transaction.atomic
def member_quote_reject(*, member: User, quote_id: int | str, reason: str,
                        scope: PortalScope | None = None) -> Quote:
    """The member rejects a quote they see (Http404 otherwise) that was sent to them, with a
    reason; the owner is told in the CRM (e-mail after commit)."""
    quote = _decidable(member=member, quote_id=quote_id, scope=scope)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Tell us why you reject the quote.")},
                              code="required")
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("At most %(count)s characters.")
                               % {"count": MAX_REASON}})
    rejected = quote_reject(quote=quote, actor=member, comment=reason)
    rejected = Quote.objects.select_related("owner").get(pk=rejected.pk)
    notify(recipients=_staff_to_notify(rejected), actor=None, verb="portal_quote_rejected",
           message=_("%(member)s rejected quote %(number)s") % {
               "member": member.get_full_name() or member.email,
               "number": rejected.display_number},
           target=rejected, url=reverse("crm_quotes:quote_detail", args=[rejected.pk]),
           email=True)
    return rejected
