"""Win rate, average deal size and sales cycle, per rep and overall, over the deals closed in
the period (closed_at in it): win rate = won / (won + lost); average deal size = won amount /
won deals (per currency, or converted); sales cycle = mean days from a won deal's creation to
its close."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.core.money import round_money
from crm.reports.currency import MoneyBuckets, MoneyColumns
from crm.reports.links import list_link, owner_params
from crm.reports.registry import register_report
from crm.reports.selectors import narrow_owner, period_of, report_owner_ids, report_rep_rows
from crm.reports.types import Chart, Column, Report, ReportFilters, ReportTable, Row, Series
from crm.sales.selectors import opportunity_visible
from tenants.users.models import Role, User

HUNDRED = Decimal(100)
CYCLE = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
SECONDS_PER_DAY = Decimal(86400)

OVERALL = "__all__"


@register_report(
    "win-rate", title=gettext_lazy("Win rate and deal size"),
    description=gettext_lazy("Won and lost deals closed in the period, win rate, average "
                             "deal size and sales cycle, per rep."),
    roles={Role.ADMIN, Role.MANAGER, Role.SALES_REP, Role.READ_ONLY}, order=30)
def win_rate(viewer: User, filters: ReportFilters) -> Report:
    period = period_of(filters)
    owner_ids = report_owner_ids(viewer=viewer, filters=filters)
    closed = narrow_owner(opportunity_visible(viewer=viewer), owner_ids).filter(
        closed_at__range=(period.start_at, period.end_at))
    if filters.pipeline_id is not None:
        closed = closed.filter(pipeline_id=filters.pipeline_id)
    reps = report_rep_rows(viewer=viewer, filters=filters)

    won: dict[object, int] = {}
    lost: dict[object, int] = {}
    amounts = MoneyBuckets()
    # One pass: per owner and currency the won and lost counts, the won amount and the
    # won deals' summed cycle (their mean is computed per owner below).
    rows = (closed.order_by().values("owner_id", "currency")
            .annotate(won=Count("id", filter=Q(stage__is_won=True)),
                      lost=Count("id", filter=Q(stage__is_lost=True)),
                      amount=Sum("amount", filter=Q(stage__is_won=True)),
                      cycle=Sum(CYCLE, filter=Q(stage__is_won=True))))
    cycle_totals: dict[object, float] = {}
    for row in rows:
        for key in (row["owner_id"], OVERALL):
            won[key] = won.get(key, 0) + row["won"]
            lost[key] = lost.get(key, 0) + row["lost"]
            amounts.add(key, row["currency"], row["amount"])
            if row["cycle"] is not None:
                cycle_totals[key] = cycle_totals.get(key, 0.0) + row["cycle"].total_seconds()
    cycles: dict[object, Decimal] = {
        key: (Decimal(seconds) / won[key] / SECONDS_PER_DAY).quantize(Decimal("0.1"))
        for key, seconds in cycle_totals.items() if won.get(key)}

    money = MoneyColumns([amounts], on=period.end)
    base = {"pipeline": filters.pipeline_id, "closed_after": period.start_at,
            "closed_before": period.end_at}

    def figures(key: object) -> dict[str, object]:
        won_count, lost_count = won.get(key, 0), lost.get(key, 0)
        rate = (HUNDRED * won_count / (won_count + lost_count)).quantize(Decimal("0.1")) \
            if won_count + lost_count else None
        values: dict[str, object] = {"won": won_count, "lost": lost_count, "win_rate": rate,
                                     **money.values(amounts, key, "won_amount")}
        for (column, currency), (_amount_column, amount) in zip(
                money.keys("average"), money.values(amounts, key, "won_amount").items(),
                strict=True):
            values[column] = round_money(amount / won_count, currency) if won_count else None
        values["cycle_days"] = cycles.get(key)
        return values

    def links(owner: dict[str, object]) -> tuple[str, dict[str, str]]:
        return (list_link("sales:opportunity_list", **base, **owner, status="closed"),
                {"won": list_link("sales:opportunity_list", **base, **owner, status="won"),
                 "lost": list_link("sales:opportunity_list", **base, **owner, status="lost")})

    table_rows = []
    for rep in reps:
        link, cell_links = links({"owner": rep.pk})
        for column, _currency in money.keys("won_amount"):
            cell_links[column] = cell_links["won"]
        table_rows.append(Row(values={"rep": rep.display_name, **figures(rep.pk)},
                              link=link, cell_links=cell_links))
    link, cell_links = links(owner_params(viewer=viewer, filters=filters))
    for column, _currency in money.keys("won_amount"):
        cell_links[column] = cell_links["won"]
    overall = Row(values={"rep": _("All deals"), **figures(OVERALL)}, link=link,
                  cell_links=cell_links)
    columns = [
        Column("rep", _("Rep")), Column("won", _("Won"), "int"), Column("lost", _("Lost"), "int"),
        Column("win_rate", _("Win rate"), "percent", linked=False),
        *money.columns("won_amount", _("Won amount")),
        *money.columns("average", _("Average deal size"), linked=False),
        Column("cycle_days", _("Sales cycle (days)"), "days", linked=False),
    ]
    per_rep = ReportTable(key="reps", title=_("Win rate per rep"), columns=columns,
                          rows=table_rows, currency=money.table_currency,
                          totals=dict(overall.values),
                          chart=Chart(kind="bar", label_column="rep",
                                      series=(Series("win_rate", _("Win rate")),)))
    summary = ReportTable(key="overall", title=_("All deals closed in the period"),
                          columns=columns, rows=[overall], currency=money.table_currency,
                          chart=Chart(kind="doughnut", label_column="rep",
                                      series=(Series("won", _("Won")),
                                              Series("lost", _("Lost")))))
    notes = [_("Deals closed in the period, by the deal's owner; the overall row also counts "
               "deals without an owner."), *money.notes()]
    return Report(slug="win-rate", title=str(_("Win rate and deal size")),
                  tables=[per_rep, summary], filters=filters, conversion=money.note(),
                  notes=notes)
