"""Service: SLA attainment and mean time to resolve per severity, the open backlog by status
and severity, and defects (requests against an asset) per product, for the period (default:
the 365 days up to today).

The figures are crm.service.reports' (``service_report``, ``backlog_by_status``): the one
place their rules live (attainment = met / (met + missed), a request being missed when a
clock breached and met when resolved within its targets). Scope: the requests the viewer
may see (crm.service.selectors); the rep and team filters do not apply to service work (a
request has an assignee and a queue, not an owner), and a note says so when they are set.

Links: the request list with the period (``reported_after`` / ``reported_before``) and the
severity, or the status and severity (backlog, any report date), or the product. Requests
against third-party assets (make and model, no catalog product) have no product filter on
the list, so those defect rows carry no link."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.reports.definitions._listing import day_bounds, list_link
from crm.reports.registry import register_report
from crm.reports.types import Chart, Column, Report, ReportFilters, ReportTable, Row, Series
from crm.service.models import RequestStatus, Severity
from crm.service.reports import (
    OPEN_STATUSES,
    GroupFigures,
    backlog_by_status,
    report_period,
    service_report,
)
from tenants.users.models import Role, User

REQUESTS_LIST = "crm_service:request_list"


def attainment_percent(group: GroupFigures) -> Decimal | None:
    value = group.sla_attainment
    return None if value is None else (Decimal(str(value)) * 100).quantize(
        Decimal("0.1"), ROUND_HALF_UP)


def hours(minutes: float | None) -> Decimal | None:
    return None if minutes is None else (Decimal(str(minutes)) / 60).quantize(
        Decimal("0.1"), ROUND_HALF_UP)


def _sla_values(label: str, group: GroupFigures) -> dict[str, Any]:
    return {"severity": label, "requests": group.requests, "resolved": group.resolved,
            "sla_met": group.sla_met, "sla_missed": group.sla_missed,
            "attainment": attainment_percent(group),
            "mean_resolution_hours": hours(group.mean_resolution_minutes)}


def _sla_table(groups: list[GroupFigures], totals: GroupFigures,
               period: list[tuple[str, Any]]) -> ReportTable:
    return ReportTable(
        key="sla", title=_("SLA attainment and time to resolve"),
        columns=[Column("severity", _("Severity")), Column("requests", _("Requests"), "int"),
                 Column("resolved", _("Resolved"), "int"),
                 Column("sla_met", _("SLA met"), "int"),
                 Column("sla_missed", _("SLA missed"), "int"),
                 Column("attainment", _("Attainment"), "percent"),
                 Column("mean_resolution_hours", _("Mean time to resolve (hours)"),
                        "decimal")],
        rows=[Row(values=_sla_values(group.label, group),
                  link=list_link(REQUESTS_LIST, [*period, ("severity", group.key)]))
              for group in groups],
        totals=_sla_values(_("Total"), totals),
        chart=Chart(kind="bar", label_column="severity",
                    series=(Series("attainment", _("Attainment")),)))


def _backlog_table(viewer: User) -> ReportTable:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for item in backlog_by_status(viewer=viewer):
        counts[item["status"]][item["severity"]] = item["open"]
    labels = dict(RequestStatus.choices)
    rows = []
    totals: dict[str, Any] = {"status": _("Total"), "total": 0,
                              **dict.fromkeys(Severity.values, 0)}
    for status in OPEN_STATUSES:
        if status not in counts:
            continue
        values: dict[str, Any] = {"status": str(labels[status])}
        for severity in Severity.values:
            values[severity] = counts[status].get(severity, 0)
            totals[severity] += values[severity]
        values["total"] = sum(values[severity] for severity in Severity.values)
        totals["total"] += values["total"]
        rows.append(Row(values=values, link=list_link(REQUESTS_LIST, [("status", status)])))
    return ReportTable(
        key="backlog", title=_("Open backlog"),
        columns=[Column("status", _("Status")),
                 *(Column(value, str(label), "int") for value, label in Severity.choices),
                 Column("total", _("Total"), "int")],
        rows=rows, totals=totals,
        chart=Chart(kind="bar", label_column="status", stacked=True,
                    series=tuple(Series(value, str(label))
                                 for value, label in Severity.choices)))


def _defects_table(groups: list[GroupFigures], period: list[tuple[str, Any]]) -> ReportTable:
    rows = []
    for group in groups:
        if group.key == "none":  # requests without an asset are no product's defects
            continue
        link = None
        if group.key.startswith("product:"):
            link = list_link(REQUESTS_LIST, [*period, ("product", group.key.split(":", 1)[1])])
        rows.append(Row(values={"product": group.label, "requests": group.requests},
                        link=link))
    return ReportTable(
        key="defects", title=_("Defects by product"),
        columns=[Column("product", _("Product")), Column("requests", _("Requests"), "int")],
        rows=rows, totals={"product": _("Total"),
                           "requests": sum(row.values["requests"] for row in rows)},
        chart=Chart(kind="bar", label_column="product",
                    series=(Series("requests", _("Requests")),)))


def _period(filters: ReportFilters, notes: list[str]) -> tuple[date, date]:
    try:
        return report_period(filters.start, filters.end)
    except ValueError as error:
        notes.append(_("%(problem)s The last 365 days are shown.") % {"problem": error})
        return report_period(None, None)


@register_report(
    "service", title=cast(str, gettext_lazy("Service")),
    description=cast(str, gettext_lazy("SLA attainment, mean time to resolve, the open backlog and "
                             "defects by product.")),
    roles={Role.ADMIN, Role.MANAGER, Role.SERVICE_AGENT, Role.READ_ONLY}, order=90)
def service_dashboard_report(viewer: User, filters: ReportFilters) -> Report:
    notes: list[str] = []
    since, until = _period(filters, notes)
    first, last = day_bounds(since, until)
    period: list[tuple[str, Any]] = [("reported_after", first), ("reported_before", last)]
    by_severity = service_report(viewer=viewer, group_by="severity", since=since, until=until)
    by_product = service_report(viewer=viewer, group_by="product", since=since, until=until)
    if filters.rep_id is not None or filters.team_id is not None:
        notes.append(_("Service figures are not narrowed to a rep or a team."))
    notes.append(_("Requests reported from %(start)s to %(end)s; the backlog is every open "
                   "request today.") % {"start": since.isoformat(), "end": until.isoformat()})
    return Report(
        slug="service", title=_("Service"),
        tables=[_sla_table(by_severity.groups, by_severity.totals, period),
                _backlog_table(viewer), _defects_table(by_product.groups, period)],
        filters=ReportFilters(start=since, end=until, team_id=filters.team_id,
                              rep_id=filters.rep_id),
        notes=notes)
