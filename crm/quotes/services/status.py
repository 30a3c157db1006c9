"""The quote status machine: the one table of legal transitions and the one function that
moves a quote along it (illegal moves are a ValidationError, a 400 in the API)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from crm.quotes.models import Quote, QuoteStatus

S = QuoteStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PENDING_APPROVAL, S.APPROVED}),
    S.REQUESTED: frozenset({S.DRAFT, S.PENDING_APPROVAL, S.APPROVED}),
    S.PENDING_APPROVAL: frozenset({S.APPROVED, S.DRAFT}),
    S.APPROVED: frozenset({S.SENT, S.EXPIRED, S.SUPERSEDED}),
    S.SENT: frozenset({S.ACCEPTED, S.REJECTED, S.EXPIRED, S.SUPERSEDED}),
    S.ACCEPTED: frozenset({S.SUPERSEDED}),
    S.REJECTED: frozenset({S.SUPERSEDED}),
    S.EXPIRED: frozenset({S.SUPERSEDED}),
    S.SUPERSEDED: frozenset(),
}
# Changed in place (the customer has not seen them); the others get a new revision.
EDITABLE_IN_PLACE = frozenset({S.DRAFT, S.REQUESTED, S.PENDING_APPROVAL})
REVISABLE = frozenset({S.APPROVED, S.SENT, S.ACCEPTED, S.REJECTED, S.EXPIRED})
SUBMITTABLE = frozenset({S.DRAFT, S.REQUESTED})
EXPIRING = frozenset({S.APPROVED, S.SENT})


def check_transition(quote: Quote, target: str) -> None:
    if target not in TRANSITIONS.get(quote.status, frozenset()):
        raise ValidationError(
            {"status": _("A quote that is %(current)s cannot become %(target)s.") % {
                "current": QuoteStatus(quote.status).label,
                "target": QuoteStatus(target).label}},
            code="illegal_transition")


def move(quote: Quote, target: str) -> None:
    """Set ``quote.status`` to ``target`` if the machine allows it (the caller saves)."""
    check_transition(quote, target)
    quote.status = target
