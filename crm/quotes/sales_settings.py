"""The quotes card of the sales settings overview: validity and the address on PDFs."""

from django.utils.translation import gettext_lazy as _

from crm.core.sales_settings import Figure, SalesSettingsCard, register_sales_settings_card
from crm.quotes.selectors import quote_settings_get


def quote_figures() -> list[Figure]:
    current = quote_settings_get()
    return [
        (_("Quotes are valid for (days)"), current.validity_days),
        (_("Address on quote PDFs"), _("set") if current.document_address else _("not set")),
    ]


def register() -> None:
    register_sales_settings_card(SalesSettingsCard(
        key="quotes", title=_("Quotes"), url_name="crm_quotes:quote_settings", order=50,
        figures=quote_figures,
        description=_("How long a new quote is valid, its default terms, the PDF's address.")))
