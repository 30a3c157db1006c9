"""Weighted forecast against targets: the open deals expected to close in the period
(amount x the deal's probability, crm.sales.selectors.forecast_by_*), by month, by rep and
by team, beside the sales targets (crm.reports.models.SalesTarget) of the same months.

Whose targets a month counts: the team's target when the report is narrowed to a team,
otherwise the sum of the rep targets of the reps the report covers (so an admin's month is
the sum of every rep's target, and team targets show in the teams table)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.core.money import round_money
from crm.core.visibility import team_members_by_team
from crm.reports.currency import MoneyBuckets, MoneyColumns
from crm.reports.links import list_link, owner_params
from crm.reports.models import SalesTarget
from crm.reports.registry import register_report
from crm.reports.selectors import (
    Period,
    filter_team_choices,
    month_end,
    months_of,
    period_of,
    report_owner_ids,
    report_rep_rows,
    sees_only_own,
)
from crm.reports.types import Chart, Column, Report, ReportFilters, ReportTable, Row, Series
from crm.sales.selectors import forecast_by_month, forecast_by_rep
from tenants.users.models import Role, User

HUNDRED = Decimal(100)


def _attainment(money: MoneyColumns, weighted: dict[str, Decimal], target: dict[str, Decimal]
                ) -> Decimal | None:
    """Weighted forecast / target, when both are in one currency."""
    if not money.single:
        return None
    goal = target.get("target", Decimal(0))
    if not goal:
        return None
    return (HUNDRED * weighted.get("weighted", Decimal(0)) / goal).quantize(Decimal("0.1"))


def _open_link(period: Period, **params: object) -> str:
    return list_link("sales:opportunity_list", status="open", close_from=period.start,
                     close_to=period.end, **params)


@register_report(
    "forecast", title=gettext_lazy("Forecast against targets"),
    description=gettext_lazy("Weighted open pipeline by expected close month, rep and team, "
                             "against the sales targets."),
    roles={Role.ADMIN, Role.MANAGER, Role.SALES_REP, Role.READ_ONLY}, order=20)
def forecast(viewer: User, filters: ReportFilters) -> Report:
    period = period_of(filters)
    owner_ids = report_owner_ids(viewer=viewer, filters=filters)
    months = months_of(period)
    reps = report_rep_rows(viewer=viewer, filters=filters)
    show_teams = not sees_only_own(viewer)
    teams = list(filter_team_choices(viewer=viewer)) if show_teams else []
    if filters.team_id is not None:
        teams = [team for team in teams if team.pk == filters.team_id]

    counts: dict[object, int] = {}
    amounts, weighted = MoneyBuckets(), MoneyBuckets()
    targets = MoneyBuckets()

    def add(prefix: str, key: object, row_count: int, currency: str, amount: Decimal,
            weight: Decimal) -> None:
        counts[(prefix, key)] = counts.get((prefix, key), 0) + row_count
        amounts.add((prefix, key), currency, amount)
        weighted.add((prefix, key), currency, round_money(weight, currency))

    for row in forecast_by_month(viewer=viewer, start=period.start, end=period.end,
                                 pipeline=filters.pipeline_id, owner_ids=owner_ids):
        add("month", row.month, row.count, row.currency, row.amount, row.weighted)
    by_rep = forecast_by_rep(viewer=viewer, start=period.start, end=period.end,
                             pipeline=filters.pipeline_id, owner_ids=owner_ids)
    for row in by_rep:
        add("rep", row.key, row.count, row.currency, row.amount, row.weighted)
    # Teams from the rep rows and the teams' members: the same figures as
    # forecast_by_team (an owner in two teams counts in both; active teams only), whose
    # join through team membership took 19 s at 1M deals (benchmarks/reports_bench.py).
    members: dict[int, list[int]] = {}
    for team_id, user_ids in team_members_by_team([team.pk for team in teams]).items():
        for user_id in user_ids:
            members.setdefault(user_id, []).append(team_id)
    for row in by_rep:
        for team_id in members.get(row.key, []):
            add("team", team_id, row.count, row.currency, row.amount, row.weighted)

    rep_ids = [rep.pk for rep in reps]
    target_rows = SalesTarget.objects.filter(month__range=(months[0], months[-1])).filter(
        Q(rep_id__in=rep_ids) | Q(team_id__in=[team.pk for team in teams]))
    for target in target_rows.order_by():
        if target.team_id is not None:
            targets.add(("team", target.team_id), target.currency, target.amount)
            if filters.team_id is not None:
                targets.add(("month", target.month), target.currency, target.amount)
        else:
            targets.add(("rep", target.rep_id), target.currency, target.amount)
            if filters.team_id is None:
                targets.add(("month", target.month), target.currency, target.amount)

    money = MoneyColumns([amounts, weighted, targets], on=period.end)
    base = {"pipeline": filters.pipeline_id}
    who = owner_params(viewer=viewer, filters=filters)

    def figures(key: object) -> dict[str, object]:
        weight = money.values(weighted, key, "weighted")
        goal = money.values(targets, key, "target")
        return {"count": counts.get(key, 0), **money.values(amounts, key, "amount"),
                **weight, **goal, "attainment": _attainment(money, weight, goal)}

    def columns(first: Column) -> list[Column]:
        return [first, Column("count", _("Open deals"), "int"),
                *money.columns("amount", _("Amount")),
                *money.columns("weighted", _("Weighted"), linked=False),
                *money.columns("target", _("Target"), linked=False),
                Column("attainment", _("Weighted / target"), "percent", linked=False)]

    def chart(label: str) -> Chart:
        weight_key, target_key = money.keys("weighted")[0][0], money.keys("target")[0][0]
        return Chart(kind="bar", label_column=label,
                     series=(Series(weight_key, _("Weighted")), Series(target_key, _("Target"))))

    def totals(prefix: str, keys: list[object], label: str) -> dict[str, object]:
        groups = [(prefix, key) for key in keys]
        weight = money.total(weighted, groups, "weighted")
        goal = money.total(targets, groups, "target")
        return {columns_first(prefix): label, "count": sum(counts.get(g, 0) for g in groups),
                **money.total(amounts, groups, "amount"), **weight, **goal,
                "attainment": _attainment(money, weight, goal)}

    def columns_first(prefix: str) -> str:
        return {"month": "month", "rep": "rep", "team": "team"}[prefix]

    month_rows = []
    for month in months:
        month_period = Period(start=max(month, period.start), end=min(month_end(month),
                                                                      period.end))
        month_rows.append(Row(values={"month": month.strftime("%Y-%m"),
                                      **figures(("month", month))},
                              link=_open_link(month_period, **base, **who)))
    tables = [ReportTable(key="months", title=_("Forecast by month"),
                          columns=columns(Column("month", _("Month"))), rows=month_rows,
                          currency=money.table_currency, chart=chart("month"),
                          totals=totals("month", list(months), _("Total")))]

    rep_keys: list[object] = [rep.pk for rep in reps]
    rep_rows = [Row(values={"rep": rep.display_name, **figures(("rep", rep.pk))},
                    link=_open_link(period, **base, owner=rep.pk)) for rep in reps]
    if owner_ids is None and ("rep", None) in counts:
        rep_keys.append(None)
        rep_rows.append(Row(values={"rep": _("No owner"), **figures(("rep", None))}))
    tables.append(ReportTable(key="reps", title=_("Forecast by rep"),
                              columns=columns(Column("rep", _("Rep"))), rows=rep_rows,
                              currency=money.table_currency, chart=chart("rep"),
                              totals=totals("rep", rep_keys, _("Total"))))
    if show_teams:
        team_rows = [Row(values={"team": team.name, **figures(("team", team.pk))},
                         link=_open_link(period, **base, team=team.pk)) for team in teams]
        tables.append(ReportTable(key="teams", title=_("Forecast by team"),
                                  columns=columns(Column("team", _("Team"))), rows=team_rows,
                                  currency=money.table_currency, chart=chart("team")))
    notes = [_("Open deals with an expected close date in the period; weighted = amount x "
               "the deal's probability. A month's target is the sum of the covered reps' "
               "targets, or the team's target when one team is chosen. A rep in two teams "
               "counts in both team rows."), *money.notes()]
    return Report(slug="forecast", title=str(_("Forecast against targets")), tables=tables,
                  filters=filters, conversion=money.note(), notes=notes)
