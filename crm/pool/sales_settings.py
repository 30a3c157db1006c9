"""The pool rules card of the sales settings overview (/crm/settings/sales/)."""

from django.utils.translation import gettext_lazy as _

from crm.core.sales_settings import Figure, SalesSettingsCard, register_sales_settings_card
from crm.pool.models import Pool, PoolRule


def _days(value: int | None) -> object:
    return value if value else _("off")


def pool_figures() -> list[Figure]:
    general = (PoolRule.objects.filter(pool__team__isnull=True, pool__region="")
               .order_by("pool_id").first())
    figures: list[Figure] = [(_("Active pools"), Pool.objects.filter(active=True).count())]
    if general is not None:
        figures += [
            (_("Most accounts a rep may hold"), general.max_accounts_per_rep or _("no cap")),
            (_("Reclaim after days without follow-up"),
             _days(general.reclaim_after_days_without_activity)),
            (_("Reclaim after days without a won deal"),
             _days(general.reclaim_after_days_without_won_deal)),
        ]
    return figures


def register() -> None:
    register_sales_settings_card(SalesSettingsCard(
        key="pool", title=_("Pool rules"), url_name="pool:pool_settings", order=20,
        figures=pool_figures,
        description=_("Shared pools, holding caps and the nightly reclaim (general pool).")))
