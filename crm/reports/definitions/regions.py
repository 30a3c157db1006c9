"""Accounts by region (pie) and by industry (bars).

Counts the accounts the viewer may see (crm.accounts.selectors.account_visible_queryset),
narrowed to a rep or a team, **as of now**: the period filter does not apply, because a
region's book of business is every account in it, whenever it was created (new accounts in
a period are a rep KPI). Regions and industries are grouped case-insensitively, like the
account list's ``region`` / ``industry`` filters (``iexact``), so each row's link lists
exactly the accounts it counts; accounts without a region (industry) link with
``no_region=true`` (``no_industry=true``)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.db.models import Count, Min, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.models import Account
from crm.accounts.selectors import account_visible_queryset
from crm.reports.definitions._listing import list_link, narrowed_owner_ids, owner_params
from crm.reports.registry import register_report
from crm.reports.types import Chart, Column, Report, ReportFilters, ReportTable, Row, Series
from tenants.users.models import Role, User

ACCOUNTS_LIST = "crm_accounts:account_list"


def share(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, one decimal (None when there is nothing)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _grouped_table(accounts: QuerySet[Account], *, field: str, key: str, title: str,
                   label: str, blank_label: str, blank_param: str, chart: Chart,
                   filters: ReportFilters) -> ReportTable:
    rows_data = list(accounts.order_by().values(group=Lower(field))
                     .annotate(label=Min(field), accounts=Count("pk")))
    total = sum(row["accounts"] for row in rows_data)
    rows: list[Row] = []
    for row in sorted(rows_data, key=lambda r: (-r["accounts"], r["group"] or "\uffff")):
        blank = not row["group"]
        params: list[tuple[str, Any]] = [(blank_param, True)] if blank \
            else [(field, row["label"])]
        rows.append(Row(
            values={key: blank_label if blank else row["label"], "accounts": row["accounts"],
                    "share": share(row["accounts"], total)},
            link=list_link(ACCOUNTS_LIST, [*params, *owner_params(filters)])))
    return ReportTable(
        key=key, title=title,
        columns=[Column(key, label), Column("accounts", _("Accounts"), "int"),
                 Column("share", _("Share"), "percent")],
        rows=rows, chart=chart,
        totals={key: _("Total"), "accounts": total, "share": share(total, total)})


@register_report(
    "regions", title=cast(str, gettext_lazy("Accounts by region and industry")),
    description=cast(str, gettext_lazy("How many accounts each region and each industry holds.")),
    roles={Role.ADMIN, Role.MANAGER, Role.SALES_REP, Role.READ_ONLY}, order=50)
def regions_report(viewer: User, filters: ReportFilters) -> Report:
    accounts = account_visible_queryset(viewer=viewer)
    owners = narrowed_owner_ids(filters)
    if owners is not None:
        accounts = accounts.filter(owner_id__in=owners)
    by_region = _grouped_table(
        accounts, field="region", key="region", title=_("Accounts by region"),
        label=_("Region"),
        blank_label=_("No region"), blank_param="no_region", filters=filters,
        chart=Chart(kind="pie", label_column="region",
                    series=(Series("accounts", _("Accounts")),)))
    by_industry = _grouped_table(
        accounts, field="industry", key="industry",
        title=_("Accounts by industry"), label=_("Industry"),
        blank_label=_("No industry"), blank_param="no_industry", filters=filters,
        chart=Chart(kind="bar", label_column="industry",
                    series=(Series("accounts", _("Accounts")),)))
    return Report(
        slug="regions", title=_("Accounts by region and industry"),
        tables=[by_region, by_industry], filters=filters,
        notes=[_("All accounts you may see as of today; the period does not apply.")])
