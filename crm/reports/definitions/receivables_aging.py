"""Receivables aging: open amounts per bucket (current, 1-30, 31-60, 61-90, over 90 days
overdue), by rep and by account, from crm.receivables.selectors.aging_report (the one aging
rule), as of the period's end (default: today in the tenant's zone), narrowed to a rep or a
team. Each figure links to the instalment list with the same as-of date, rep or account,
currency and narrowing; that list's totals equal the row's total (and with ``bucket=`` the
bucket's figure).

Without exchange rates there is one table per currency and grouping; with rates one table
per grouping in the workspace currency, each (row, currency, bucket) figure converted
(crm.reports.currency), with the conversion note."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.core.money import round_money
from crm.receivables.selectors import BUCKET_KEYS, BUCKETS, AgingRow, aging_report, tenant_today
from crm.reports.currency import MoneyBuckets, RateTable, rate_table
from crm.reports.definitions._listing import list_link, narrowed_owner_ids, owner_params
from crm.reports.registry import register_report
from crm.reports.types import (
    Chart,
    Column,
    ConversionNote,
    Report,
    ReportFilters,
    ReportTable,
    Row,
    Series,
)
from tenants.users.models import Role, User

INSTALMENTS_LIST = "crm_receivables:instalment_list"
GROUPINGS = (("rep", gettext_lazy("By rep")), ("account", gettext_lazy("By account")))
ZERO = Decimal(0)


def _columns(group_by: str) -> list[Column]:
    first = Column("rep", _("Rep")) if group_by == "rep" else Column("account", _("Account"))
    return [first, *(Column(key, str(label), "money") for key, label in BUCKETS),
            Column("total", _("Total"), "money")]


def _chart(group_by: str) -> Chart:
    return Chart(kind="bar", label_column=group_by, stacked=True,
                 series=tuple(Series(key, str(label)) for key, label in BUCKETS))


def _params(group_by: str, key: int | None, filters: ReportFilters) -> list[tuple[str, Any]]:
    if group_by == "rep":
        return [("rep", "none" if key is None else key)]
    return [("account", key), *owner_params(filters, owner="rep")]


def _per_currency(group_by: str, rows: list[AgingRow], totals: list[AgingRow],
                  link: Callable[[int | None, str | None], str]) -> list[ReportTable]:
    tables = []
    for total in totals:
        code = total.currency
        table_rows = [
            Row(values={group_by: row.label,
                        **{key: round_money(amount, code) for key, amount in row.cells()},
                        "total": round_money(row.total, code)},
                link=link(row.key, code))
            for row in rows if row.currency == code]
        tables.append(ReportTable(
            key=f"{group_by}_{code.lower()}", currency=code, columns=_columns(group_by),
            title=_("%(grouping)s (%(currency)s)") % {
                "grouping": dict(GROUPINGS)[group_by], "currency": code},
            rows=table_rows, chart=_chart(group_by),
            totals={group_by: _("Total"),
                    **{key: round_money(amount, code) for key, amount in total.cells()},
                    "total": round_money(total.total, code)}))
    return tables


def _converted(group_by: str, rows: list[AgingRow], rates: RateTable,
               link: Callable[[int | None, str | None], str]) -> ReportTable:
    sums = MoneyBuckets()
    labels: dict[int | None, str] = {}
    for row in rows:
        if not rates.can_convert(row.currency):
            continue
        labels.setdefault(row.key, row.label)
        for key, amount in row.cells():
            sums.add((row.key, key), row.currency, amount)
    table_rows = []
    totals: dict[str, Any] = {group_by: _("Total"), "total": ZERO}
    for row_key, label in labels.items():
        values: dict[str, Any] = {group_by: label}
        for key in BUCKET_KEYS:
            values[key] = sums.converted((row_key, key), rates)
            totals[key] = totals.get(key, ZERO) + values[key]
        values["total"] = sum((values[key] for key in BUCKET_KEYS), ZERO)
        totals["total"] += values["total"]
        table_rows.append(Row(values=values, link=link(row_key, None)))
    table_rows.sort(key=lambda r: (-r.values["total"], str(r.values[group_by]).lower()))
    return ReportTable(key=group_by, title=str(dict(GROUPINGS)[group_by]),
                       currency=rates.target, columns=_columns(group_by), rows=table_rows,
                       chart=_chart(group_by),
                       totals={**dict.fromkeys(BUCKET_KEYS, ZERO), **totals})


@register_report(
    "receivables-aging", title=cast(str, gettext_lazy("Receivables aging")),
    description=cast(str, gettext_lazy("Open receivables by how long they are overdue, per rep and "
                             "per account.")),
    roles={Role.ADMIN, Role.MANAGER, Role.SALES_REP, Role.READ_ONLY}, order=80)
def receivables_aging_report(viewer: User, filters: ReportFilters) -> Report:
    as_of = filters.end or tenant_today()
    owners = None if filters.rep_id is not None else narrowed_owner_ids(filters)
    rates = rate_table(on=as_of)
    tables: list[ReportTable] = []
    notes: list[str] = []
    conversion: ConversionNote | None = None
    for group_by, _label in GROUPINGS:
        report = aging_report(viewer=viewer, as_of=as_of, group_by=group_by,
                              rep=filters.rep_id, owners=owners)

        def link(key: int | None, currency: str | None, group_by: str = group_by) -> str:
            return list_link(INSTALMENTS_LIST, [("as_of", as_of), *_params(group_by, key,
                                                                           filters),
                                                ("currency", currency)])

        if rates is None:
            tables += _per_currency(group_by, report.rows, report.totals, link)
        else:
            tables.append(_converted(group_by, report.rows, rates, link))
            if group_by == "rep":
                used = [total.currency for total in report.totals]
                conversion = rates.note(used)
                missing = [code for code in used if not rates.can_convert(code)]
                if missing:
                    notes.append(_("No exchange rate for %(codes)s: those amounts are left "
                                   "out.") % {"codes": ", ".join(missing)})
    notes.append(_("Open amounts as of %(date)s.") % {"date": as_of.isoformat()})
    return Report(slug="receivables-aging", title=_("Receivables aging"), tables=tables,
                  filters=filters, conversion=conversion, notes=notes)
