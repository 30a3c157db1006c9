"""Pipeline funnel: per stage of one pipeline (the default unless filtered), the open deals
in that stage with an expected close date in the period (count and amount), then the deals
won and lost in the period (closed in it), and the conversion between consecutive open
stages.

Conversion comes from the stage history of the deals created in the period: a deal
"reached" a stage when it entered that stage or any later non-lost stage (skipped stages
count as passed; won counts as having passed them all). Conversion from stage n to n+1 is
reached(n+1) / reached(n). The counts and amounts equal the opportunity list behind each row;
conversion has no list (it is a share of a cohort)."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Max, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.reports.currency import MoneyBuckets, MoneyColumns
from crm.reports.links import list_link, owner_params
from crm.reports.registry import register_report
from crm.reports.selectors import narrow_owner, period_of, report_owner_ids
from crm.reports.types import Chart, Column, Report, ReportFilters, ReportTable, Row, Series
from crm.sales.models import Pipeline, Stage, StageHistory
from crm.sales.selectors import opportunity_visible
from tenants.users.models import Role, User

HUNDRED = Decimal(100)


def _pipeline(filters: ReportFilters) -> Pipeline | None:
    pipelines = Pipeline.objects.filter(active=True)
    if filters.pipeline_id is not None:
        return Pipeline.objects.filter(pk=filters.pipeline_id).first()
    return pipelines.filter(is_default=True).first() or pipelines.order_by("pk").first()


@register_report(
    "funnel", title=gettext_lazy("Pipeline funnel"),
    description=gettext_lazy("Open deals per stage, deals won and lost, and the conversion "
                             "between stages."),
    roles={Role.ADMIN, Role.MANAGER, Role.SALES_REP, Role.READ_ONLY}, order=10)
def funnel(viewer: User, filters: ReportFilters) -> Report:
    period = period_of(filters)
    pipeline = _pipeline(filters)
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("order", "pk")) \
        if pipeline else []
    owner_ids = report_owner_ids(viewer=viewer, filters=filters)
    deals = narrow_owner(opportunity_visible(viewer=viewer), owner_ids)
    deals = deals.filter(pipeline=pipeline) if pipeline is not None else deals.none()

    counts: dict[int, int] = {}
    buckets = MoneyBuckets()
    open_rows = (deals.filter(closed_at__isnull=True,
                              close_date__range=(period.start, period.end))
                 .order_by().values("stage_id", "currency")
                 .annotate(n=Count("id"), total=Sum("amount")))
    closed_rows = (deals.filter(closed_at__range=(period.start_at, period.end_at))
                   .order_by().values("stage_id", "currency")
                   .annotate(n=Count("id"), total=Sum("amount")))
    for row in [*open_rows, *closed_rows]:
        counts[row["stage_id"]] = counts.get(row["stage_id"], 0) + row["n"]
        buckets.add(row["stage_id"], row["currency"], row["total"])

    # The furthest non-lost stage each deal of the cohort reached, counted per stage order:
    # one grouped pass over the cohort's history (a per-deal subquery is far slower at 1M).
    cohort = deals.filter(created_at__range=(period.start_at, period.end_at))
    furthest = (StageHistory.objects.filter(opportunity__in=cohort.values("pk"),
                                            stage__is_lost=False)
                .order_by().values("opportunity_id").annotate(top=Max("stage__order"))
                .values("top"))
    reached_at: dict[int, int] = {}
    try:
        sql, params = furthest.query.sql_with_params()
    except EmptyResultSet:  # no pipeline, or an owner filter that matches nobody
        sql = ""
    if sql:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT top, COUNT(*) FROM ({sql}) AS furthest GROUP BY top",  # noqa: S608
                params)
            reached_at = dict(cursor.fetchall())

    money = MoneyColumns([buckets], on=period.end)
    open_stages = [stage for stage in stages if not stage.is_closed]
    reached = {stage.pk: sum(n for order, n in reached_at.items() if order >= stage.order)
               for stage in open_stages}
    base = {"pipeline": pipeline.pk if pipeline else None,
            **owner_params(viewer=viewer, filters=filters)}
    rows: list[Row] = []
    next_open = {stage.pk: following for stage, following in pairwise(open_stages)}
    for stage in stages:
        if stage.is_closed:
            link = list_link("sales:opportunity_list", **base, stage=stage.pk,
                             closed_after=period.start_at, closed_before=period.end_at)
        else:
            link = list_link("sales:opportunity_list", **base, stage=stage.pk, status="open",
                             close_from=period.start, close_to=period.end)
        conversion = None
        following = next_open.get(stage.pk)
        if following is not None and reached[stage.pk]:
            conversion = (HUNDRED * reached[following.pk] / reached[stage.pk]).quantize(
                Decimal("0.1"))
        rows.append(Row(values={
            "stage": stage.name,
            "status": _("Won") if stage.is_won else _("Lost") if stage.is_lost else _("Open"),
            "count": counts.get(stage.pk, 0),
            **money.values(buckets, stage.pk, "amount"),
            "reached": reached.get(stage.pk),
            "conversion": conversion,
        }, link=link))
    columns = [
        Column("stage", _("Stage")), Column("status", _("Status")),
        Column("count", _("Deals"), "int"), *money.columns("amount", _("Amount")),
        Column("reached", _("Created in the period that reached it"), "int", linked=False),
        Column("conversion", _("Went on to the next stage"), "percent", linked=False),
    ]
    totals = {"stage": _("Total"), "count": sum(counts.get(s.pk, 0) for s in stages),
              **money.total(buckets, [s.pk for s in stages], "amount")}
    table = ReportTable(
        key="stages", title=_("Funnel: %(pipeline)s") % {"pipeline": pipeline.name}
        if pipeline else _("Funnel"),
        columns=columns, rows=rows, currency=money.table_currency, totals=totals,
        chart=Chart(kind="funnel", label_column="stage",
                    series=(Series("count", _("Deals")),)))
    notes = [_("Open stages: deals open now with an expected close date in the period. Won "
               "and lost: deals closed in the period. Conversion: of the deals created in "
               "the period that reached a stage, the share that reached the next one."),
             *money.notes()]
    return Report(slug="funnel", title=str(_("Pipeline funnel")), tables=[table],
                  filters=filters, conversion=money.note(), notes=notes)
