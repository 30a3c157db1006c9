"""Creating and changing quotes: header checks, lines and totals (crm.quotes.services.lines),
revisions of quotes the customer has seen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Account, Contact
from crm.accounts.selectors import account_is_visible
from crm.core.approvals import approvals_withdraw
from crm.core.audit import audit_event
from crm.core.money import HUNDRED, currency_is_known, to_decimal
from crm.core.numbering import next_number
from crm.quotes.models import Quote, QuoteLine, QuoteStatus
from crm.quotes.selectors import quote_settings_get
from crm.quotes.services.lines import (
    QuoteLineInput,
    default_currency,
    free_text_references,
    price_lines,
    store_lines,
    workspace_currency,
)
from crm.quotes.services.status import EDITABLE_IN_PLACE, REVISABLE, move
from crm.sales.models import Opportunity
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

QUOTE_NUMBER_PREFIX = "Q"
LANGUAGE_CODES = frozenset(code for code, _label in settings.LANGUAGES)
_UNSET: Any = object()


def _check_may_edit(actor: User) -> None:
    if not (can(actor, Capability.USE_CRM) and can(actor, Capability.EDIT_RECORDS)):
        raise PermissionDenied(_("You may not change quotes."))


def _check_header(*, account: Account, contact: Contact | None,
                  opportunity: Opportunity | None, currency: str, language: str,
                  discount_percent: Decimal, valid_until: date | None) -> None:
    errors: dict[str, str] = {}
    if not currency_is_known(currency):
        errors["currency"] = _("Unknown currency code.")
    if contact is not None and contact.account_id != account.pk:
        errors["contact"] = _("The contact belongs to another account.")
    if opportunity is not None and opportunity.account_id != account.pk:
        errors["opportunity"] = _("The opportunity belongs to another account.")
    if language and language not in LANGUAGE_CODES:
        errors["language"] = _("Choose English or Chinese.")
    if discount_percent < 0 or discount_percent > HUNDRED:
        errors["discount_percent"] = _("A discount is between 0 and 100 %.")
    if valid_until is not None and valid_until < timezone.localdate():
        errors["valid_until"] = _("The validity date is in the past.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def quote_create(
    *, account: Account, actor: User, lines: Sequence[QuoteLineInput],
    opportunity: Opportunity | None = None, contact: Contact | None = None,
    currency: str | None = None, valid_until: date | None = None, terms: str | None = None,
    language: str = "", discount_percent: Decimal | str | int = Decimal(0), note: str = "",
    owner: User | None = None,
) -> Quote:
    """A new draft quote for an account ``actor`` may see, numbered ``Q-<year>-<n>`` per
    tenant. Currency defaults to the first product's price book's (else the workspace's),
    validity and terms to the quote settings; owner to the actor (staff) or the account's
    owner."""
    _check_may_edit(actor)
    if not account_is_visible(viewer=actor, account=account):
        raise ValidationError({"account": _("Choose an account you can see.")})
    today = timezone.localdate()
    quote_settings = quote_settings_get()
    code = (currency or "").strip().upper() or default_currency(
        account=account, lines=lines, on=today, fallback=workspace_currency())
    discount = to_decimal(discount_percent or 0, field="discount_percent")
    if valid_until is None:
        valid_until = today + timedelta(days=quote_settings.validity_days)
    _check_header(account=account, contact=contact, opportunity=opportunity, currency=code,
                  language=language, discount_percent=discount, valid_until=valid_until)
    priced = price_lines(account=account, currency=code, lines=lines, on=today)
    if owner is None:
        owner = actor if actor.kind == UserKind.STAFF else account.owner
    quote = Quote.objects.create(
        number=next_number(QUOTE_NUMBER_PREFIX), revision=1, account=account,
        opportunity=opportunity, contact=contact, owner=owner, created_by=actor,
        currency=code, language=language, valid_until=valid_until,
        terms=quote_settings.default_terms if terms is None else terms, note=note,
        discount_percent=discount,
    )
    store_lines(quote=quote, priced=priced)
    quote.save(update_fields=["subtotal", "tax_total", "total"])
    audit_event(instance=quote, actor=actor, action="quote.created",
                data={"number": quote.number, "total": str(quote.total),
                      "currency": quote.currency})
    return quote


def _copy_as_revision(quote: Quote, actor: User) -> Quote:
    new = Quote.objects.create(
        number=quote.number, revision=quote.revision + 1, previous_revision=quote,
        account_id=quote.account_id, opportunity_id=quote.opportunity_id,
        contact_id=quote.contact_id, owner_id=quote.owner_id, created_by=actor,
        requested_by_id=quote.requested_by_id, status=QuoteStatus.DRAFT,
        currency=quote.currency, language=quote.language, valid_until=quote.valid_until,
        terms=quote.terms, note=quote.note, discount_percent=quote.discount_percent,
        subtotal=quote.subtotal, tax_total=quote.tax_total, total=quote.total,
    )
    QuoteLine.objects.bulk_create([
        QuoteLine(quote=new, position=line.position, product_id=line.product_id,
                  description=line.description, quantity=line.quantity,
                  unit_price=line.unit_price, list_unit_price=line.list_unit_price,
                  price_book_id=line.price_book_id, price_overridden=line.price_overridden,
                  discount_percent=line.discount_percent, tax_rate=line.tax_rate,
                  tax_overridden=line.tax_overridden, line_net=line.line_net,
                  line_tax=line.line_tax)
        for line in quote.lines.order_by("position", "pk")
    ])
    return new


@transaction.atomic
def quote_revise(*, quote: Quote, actor: User) -> Quote:
    """A new draft revision (same number, ``revision + 1``, linked to this one) of a quote
    the customer has seen or that was decided; this revision becomes superseded and is
    otherwise left exactly as it was."""
    _check_may_edit(actor)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status not in REVISABLE:
        raise ValidationError({"status": _(
            "Only a quote that was approved, sent or decided gets a new revision; change "
            "this one directly.")}, code="illegal_transition")
    new = _copy_as_revision(quote, actor)
    move(quote, QuoteStatus.SUPERSEDED)
    quote.save(update_fields=["status", "updated_at"])
    audit_event(instance=quote, actor=actor, action="quote.superseded",
                data={"by_revision": new.revision, "quote": new.pk})
    audit_event(instance=new, actor=actor, action="quote.revised",
                data={"number": new.number, "revision": new.revision,
                      "previous": quote.pk})
    return new


@transaction.atomic
def quote_update(
    *, quote: Quote, actor: User, lines: Sequence[QuoteLineInput] | None = None,
    contact: Contact | None = _UNSET, opportunity: Opportunity | None = _UNSET,
    valid_until: date | None = _UNSET, terms: str | None = None, language: str | None = None,
    discount_percent: Decimal | str | int | None = None, note: str | None = None,
) -> Quote:
    """Change a quote. A draft, requested or pending one changes in place (a pending
    approval is withdrawn: the quote is a draft again and must be resubmitted); one the
    customer has seen, or that was decided, gets a new revision with the changes and the
    earlier one stays as it was. Returns the changed quote (the new revision, if any)."""
    _check_may_edit(actor)
    current = Quote.objects.select_for_update().get(pk=quote.pk)
    if current.status in REVISABLE:
        current = _copy_as_revision(current, actor)
        old = Quote.objects.select_for_update().get(pk=quote.pk)
        move(old, QuoteStatus.SUPERSEDED)
        old.save(update_fields=["status", "updated_at"])
        audit_event(instance=old, actor=actor, action="quote.superseded",
                    data={"by_revision": current.revision, "quote": current.pk})
    elif current.status not in EDITABLE_IN_PLACE:
        raise ValidationError({"status": _("A superseded quote cannot change.")},
                              code="illegal_transition")
    if current.status == QuoteStatus.PENDING_APPROVAL:
        approvals_withdraw(current)
        current.status = QuoteStatus.DRAFT
    if contact is not _UNSET:
        current.contact = contact
    if opportunity is not _UNSET:
        current.opportunity = opportunity
    if valid_until is not _UNSET:
        current.valid_until = valid_until
    if terms is not None:
        current.terms = terms
    if note is not None:
        current.note = note
    if language is not None:
        current.language = language
    if discount_percent is not None:
        current.discount_percent = to_decimal(discount_percent, field="discount_percent")
    account = Account.objects.get(pk=current.account_id)
    _check_header(account=account, contact=current.contact, opportunity=current.opportunity,
                  currency=current.currency, language=current.language,
                  discount_percent=current.discount_percent,
                  valid_until=current.valid_until if valid_until is not _UNSET else None)
    if lines is not None:
        priced = price_lines(account=account, currency=current.currency, lines=lines,
                             on=timezone.localdate(),
                             free_text_list_prices=free_text_references(current))
        store_lines(quote=current, priced=priced)
    elif discount_percent is not None:
        _retotal(current)
    current.save()
    audit_event(instance=current, actor=actor, action="quote.updated",
                data={"revision": current.revision, "total": str(current.total)})
    return current


def _retotal(quote: Quote) -> None:
    """Recompute the stored totals of the quote's lines as they are (after a change of the
    quote discount)."""
    from crm.core.money import document_totals

    lines = list(quote.lines.order_by("position", "pk"))
    totals = document_totals(lines, currency=quote.currency,
                             document_discount_percent=quote.discount_percent)
    for line, result in zip(lines, totals.lines, strict=True):
        line.line_net, line.line_tax = result.line_net, result.line_tax
    QuoteLine.objects.bulk_update(lines, ["line_net", "line_tax"])
    quote.subtotal, quote.tax_total, quote.total = (totals.subtotal, totals.tax_total,
                                                    totals.total)


@transaction.atomic
def quote_request_create(*, account: Account, requested_by: User | None,
                         lines: Sequence[QuoteLineInput], note: str = "",
                         contact: Contact | None = None) -> Quote:
    """A quote request from the customer portal (status requested): priced and totalled by
    the same services, owned by the account's owner (or unowned, in the pool's view), for
    staff to complete and submit. The portal passes the member's own account (resolved
    through the member's access, never an id it trusts) and its contact."""
    if contact is not None and contact.account_id != account.pk:
        raise ValidationError({"contact": _("The contact belongs to another account.")})
    today = timezone.localdate()
    code = default_currency(account=account, lines=lines, on=today,
                            fallback=workspace_currency())
    priced = price_lines(account=account, currency=code, lines=lines, on=today)
    quote_settings = quote_settings_get()
    quote = Quote.objects.create(
        number=next_number(QUOTE_NUMBER_PREFIX), revision=1, account=account, contact=contact,
        owner_id=account.owner_id, created_by=requested_by, requested_by=requested_by,
        status=QuoteStatus.REQUESTED, currency=code, note=note.strip(),
        valid_until=today + timedelta(days=quote_settings.validity_days),
        terms=quote_settings.default_terms,
    )
    store_lines(quote=quote, priced=priced)
    quote.save(update_fields=["subtotal", "tax_total", "total"])
    audit_event(instance=quote, actor=requested_by, action="quote.requested",
                data={"number": quote.number, "total": str(quote.total)})
    return quote
