"""Quote commands (one transaction each). Import from here."""

from crm.quotes.services.approval import (
    approvers_for,
    quote_approval_reject,
    quote_approve,
    quote_max_discount,
    quote_submit,
)
from crm.quotes.services.delivery import (
    QuoteAcceptance,
    quote_accept,
    quote_reject,
    quote_send,
    quotes_expire,
)
from crm.quotes.services.editing import (
    quote_create,
    quote_request_create,
    quote_revise,
    quote_update,
)
from crm.quotes.services.lines import QuoteLineInput, effective_discount
from crm.quotes.services.settings import quote_settings_update
from crm.quotes.services.totals import TotalsPreview, quote_totals_preview

__all__ = [
    "QuoteAcceptance", "QuoteLineInput", "TotalsPreview", "approvers_for",
    "effective_discount", "quote_accept", "quote_approval_reject", "quote_approve",
    "quote_create", "quote_max_discount", "quote_reject", "quote_request_create",
    "quote_revise", "quote_send",
    "quote_settings_update", "quote_submit", "quote_totals_preview", "quote_update",
    "quotes_expire",
]
