"""The duplicates card of the sales settings overview: threshold and aliases."""

from django.utils.translation import gettext_lazy as _

from crm.accounts.duplicates import duplicate_threshold
from crm.accounts.models import NameAlias
from crm.core.sales_settings import Figure, SalesSettingsCard, register_sales_settings_card


def duplicate_figures() -> list[Figure]:
    return [
        (_("Duplicate similarity threshold"), f"{duplicate_threshold():.2f}"),
        (_("Name aliases"), NameAlias.objects.count()),
    ]


def register() -> None:
    register_sales_settings_card(SalesSettingsCard(
        key="duplicates", title=_("Duplicates and aliases"), url_name="crm_accounts:alias_list",
        order=40, figures=duplicate_figures,
        description=_("How alike two company names must be to be flagged; abbreviations.")))
