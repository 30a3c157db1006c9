"""Service analysis (/crm/service/reports/ and GET /api/v1/reports/service/): one selector
whose figures the page and the API share.

Scope: the service requests the viewer may see, reported between ``since``
and ``until`` (both days inclusive, in the tenant's zone). Figures:

- defects: requests against an asset, counted by month, product (or third-party make and
  model) and severity;
- per group (product, severity, queue or agent): requests, mean wall-clock minutes to the
  first response and to resolution, and SLA attainment = met / (met + missed), where
  *missed* is a request with a breached clock and *met* a resolved request with an SLA
  target and no breach (open requests within their targets are not decided yet);
- backlog per agent: open requests today (not resolved or closed), whatever their report
  date, and how many of them are breached;
- renewals: assets whose warranty ends, and contracts that end, in the next 90 days.

Each figure is a count over the rows ``report_requests`` returns (tests compare them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.selectors import account_visible_queryset
from crm.service.models import (
    Asset,
    RequestStatus,
    ServiceContract,
    ServiceRequest,
    Severity,
)
from crm.service.selectors import service_request_visible_queryset
from tenants.users.models import User

GROUP_BY = ("product", "severity", "queue", "agent")
RENEWAL_DAYS = 90
MAX_RANGE_DAYS = 3 * 366
OPEN_STATUSES = (RequestStatus.NEW, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS,
                 RequestStatus.WAITING_ON_CUSTOMER)

_MET = Q(resolved_at__isnull=False, breached=False) & (
    Q(resolution_due__isnull=False) | Q(first_response_due__isnull=False))
_MISSED = Q(breached=True)


@dataclass
class GroupFigures:
    key: str
    label: str
    requests: int
    responded: int
    resolved: int
    mean_first_response_minutes: float | None
    mean_resolution_minutes: float | None
    sla_met: int
    sla_missed: int

    @property
    def sla_attainment(self) -> float | None:
        decided = self.sla_met + self.sla_missed
        return round(self.sla_met / decided, 4) if decided else None

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "requests": self.requests,
                "responded": self.responded, "resolved": self.resolved,
                "mean_first_response_minutes": self.mean_first_response_minutes,
                "mean_resolution_minutes": self.mean_resolution_minutes,
                "sla_met": self.sla_met, "sla_missed": self.sla_missed,
                "sla_attainment": self.sla_attainment}


@dataclass
class ServiceReport:
    group_by: str
    since: date
    until: date
    groups: list[GroupFigures]
    totals: GroupFigures
    defects: list[dict[str, Any]]
    months: list[str]
    backlog: list[dict[str, Any]]
    warranties_ending: list[dict[str, Any]]
    contracts_ending: list[dict[str, Any]]
    chart: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "group_by": self.group_by, "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "groups": [group.as_dict() for group in self.groups],
            "totals": self.totals.as_dict(), "defects": self.defects,
            "backlog": self.backlog,
            "renewals": {"warranties": self.warranties_ending,
                         "contracts": self.contracts_ending},
        }


def report_period(since: date | None, until: date | None, *,
                  today: date | None = None) -> tuple[date, date]:
    """Defaults: the last 365 days up to today. Raises ValueError for a reversed or too long
    range."""
    today = today or timezone.localdate()
    until = until or today
    since = since or until - timedelta(days=364)
    if since > until:
        raise ValueError(_("The start of the period must not be after its end."))
    if (until - since).days > MAX_RANGE_DAYS:
        raise ValueError(_("The period can be at most three years."))
    return since, until


def _bounds(since: date, until: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (datetime.combine(since, time.min, tzinfo=zone),
            datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone))


def visible_requests(*, viewer: User) -> QuerySet[ServiceRequest]:
    """Requests ``viewer`` may see: the one request visibility rule
    (crm.service.selectors.service_request_visible_queryset)."""
    return service_request_visible_queryset(viewer)


def report_requests(*, viewer: User, since: date, until: date) -> QuerySet[ServiceRequest]:
    """The rows the period's figures count."""
    start, end = _bounds(since, until)
    return visible_requests(viewer=viewer).filter(reported_at__gte=start, reported_at__lt=end)


def _minutes(value: timedelta | None) -> float | None:
    return round(value.total_seconds() / 60, 1) if value is not None else None


_GROUP_FIELDS: dict[str, tuple[str, ...]] = {
    "product": ("asset__product_id", "asset__product__name", "asset__make", "asset__model"),
    "severity": ("severity",),
    "queue": ("queue_id", "queue__name"),
    "agent": ("assignee_id", "assignee__first_name", "assignee__last_name",
              "assignee__email"),
}


def product_key(row: dict[str, Any], prefix: str = "asset__") -> tuple[str, str]:
    product_id = row.get(f"{prefix}product_id")
    if product_id:
        return f"product:{product_id}", str(row.get(f"{prefix}product__name") or product_id)
    make, model = row.get(f"{prefix}make") or "", row.get(f"{prefix}model") or ""
    if make or model:
        return f"model:{make}|{model}", f"{make} {model}".strip()
    return "none", str(_("No asset"))


def _group_key(group_by: str, row: dict[str, Any]) -> tuple[str, str]:
    if group_by == "product":
        return product_key(row)
    if group_by == "severity":
        return row["severity"], str(Severity(row["severity"]).label)
    if group_by == "queue":
        if row["queue_id"] is None:
            return "none", str(_("No queue"))
        return str(row["queue_id"]), str(row["queue__name"])
    if row["assignee_id"] is None:
        return "none", str(_("Unassigned"))
    name = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
    return str(row["assignee_id"]), name or str(row["assignee__email"])


def _aggregates() -> dict[str, Any]:
    return {
        "requests": Count("pk"),
        "responded": Count("pk", filter=Q(first_response_at__isnull=False)),
        "resolved": Count("pk", filter=Q(resolved_at__isnull=False)),
        "mean_response": Avg(F("first_response_at") - F("reported_at"),
                             filter=Q(first_response_at__isnull=False)),
        "mean_resolution": Avg(F("resolved_at") - F("reported_at"),
                               filter=Q(resolved_at__isnull=False)),
        "sla_met": Count("pk", filter=_MET),
        "sla_missed": Count("pk", filter=_MISSED),
    }


def _figures(queryset: QuerySet[ServiceRequest], group_fields: tuple[str, ...]) -> QuerySet:
    return queryset.order_by().values(*group_fields).annotate(**_aggregates())


def _to_group(key: str, label: str, row: dict[str, Any]) -> GroupFigures:
    return GroupFigures(key=key, label=label, requests=row["requests"],
                        responded=row["responded"], resolved=row["resolved"],
                        mean_first_response_minutes=_minutes(row["mean_response"]),
                        mean_resolution_minutes=_minutes(row["mean_resolution"]),
                        sla_met=row["sla_met"], sla_missed=row["sla_missed"])


def _merge(groups: dict[str, tuple[str, list[dict[str, Any]]]]) -> list[GroupFigures]:
    """Rows of one key (e.g. a make/model asked twice) merged with weighted means."""
    merged: list[GroupFigures] = []
    for key, (label, rows) in groups.items():
        if len(rows) == 1:
            merged.append(_to_group(key, label, rows[0]))
            continue
        total: dict[str, Any] = {name: sum(row[name] for row in rows) for name in
                                 ("requests", "responded", "resolved", "sla_met",
                                  "sla_missed")}
        for mean, weight in (("mean_response", "responded"), ("mean_resolution", "resolved")):
            weighted = [(row[mean], row[weight]) for row in rows if row[mean] is not None]
            count = sum(w for _, w in weighted)
            total[mean] = (sum((m * w for m, w in weighted), timedelta(0)) / count
                           if count else None)
        merged.append(_to_group(key, label, total))
    return merged


def _groups(queryset: QuerySet[ServiceRequest], group_by: str) -> list[GroupFigures]:
    collected: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    for row in _figures(queryset, _GROUP_FIELDS[group_by]):
        key, label = _group_key(group_by, row)
        collected.setdefault(key, (label, []))[1].append(row)
    groups = _merge(collected)
    if group_by == "severity":
        order = {value: index for index, value in enumerate(Severity.values)}
        groups.sort(key=lambda group: order.get(group.key, 99))
    else:
        groups.sort(key=lambda group: (-group.requests, group.label))
    return groups


def _totals(queryset: QuerySet[ServiceRequest]) -> GroupFigures:
    return _to_group("all", str(_("All")), queryset.order_by().aggregate(**_aggregates()))


def _defects(queryset: QuerySet[ServiceRequest]) -> tuple[list[dict[str, Any]], list[str]]:
    zone = timezone.get_current_timezone()
    rows = (queryset.filter(asset__isnull=False).order_by()
            .annotate(month=TruncMonth("reported_at", tzinfo=zone))
            .values("month", "asset__product_id", "asset__product__name", "asset__make",
                    "asset__model", "severity")
            .annotate(count=Count("pk")))
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        key, label = product_key(row)
        month = row["month"].astimezone(zone).strftime("%Y-%m")
        entry = merged.setdefault((month, key, row["severity"]), {
            "month": month, "product": row["asset__product_id"],
            "make": row["asset__make"] if not row["asset__product_id"] else "",
            "model": row["asset__model"] if not row["asset__product_id"] else "",
            "label": label, "severity": row["severity"],
            "severity_label": str(Severity(row["severity"]).label), "count": 0})
        entry["count"] += row["count"]
    order = {value: index for index, value in enumerate(Severity.values)}
    defects = sorted(merged.values(),
                     key=lambda d: (d["month"], d["label"], order.get(d["severity"], 99)))
    months = sorted({d["month"] for d in defects})
    return defects, months


def _backlog(viewer: User) -> list[dict[str, Any]]:
    rows = (visible_requests(viewer=viewer).filter(status__in=OPEN_STATUSES).order_by()
            .values("assignee_id", "assignee__first_name", "assignee__last_name",
                    "assignee__email")
            .annotate(open=Count("pk"), breached_open=Count("pk", filter=Q(breached=True))))
    backlog = []
    for row in rows:
        _key, label = _group_key("agent", row)
        backlog.append({"agent": row["assignee_id"], "name": label, "open": row["open"],
                        "breached": row["breached_open"]})
    backlog.sort(key=lambda entry: (-entry["open"], entry["name"]))
    return backlog


def backlog_by_status(*, viewer: User) -> list[dict[str, Any]]:
    """Open requests today (whatever their report date) by status and severity:
    ``{"status", "severity", "open", "breached"}`` per pair that has any (one query)."""
    rows = (visible_requests(viewer=viewer).filter(status__in=OPEN_STATUSES).order_by()
            .values("status", "severity")
            .annotate(open=Count("pk"), breached=Count("pk", filter=Q(breached=True))))
    return [{"status": row["status"], "severity": row["severity"], "open": row["open"],
             "breached": row["breached"]} for row in rows]


def _renewals(viewer: User, today: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    horizon = today + timedelta(days=RENEWAL_DAYS)
    accounts = account_visible_queryset(viewer=viewer)
    warranties = [
        {"asset": asset.pk, "serial_number": asset.serial_number, "label": str(asset),
         "account": asset.account_id, "account_name": asset.account.name,
         "warranty_end": asset.warranty_end.isoformat() if asset.warranty_end else None}
        for asset in (Asset.objects.filter(account__in=accounts, warranty_end__gte=today,
                                           warranty_end__lte=horizon)
                      .select_related("account", "product")
                      .order_by("warranty_end", "pk")[:500])
    ]
    contracts = [
        {"contract": contract.pk, "number": contract.number, "account": contract.account_id,
         "account_name": contract.account.name, "ends_on": contract.ends_on.isoformat(),
         "assets": [asset.pk for asset in contract.assets.all()]}
        for contract in (ServiceContract.objects.filter(account__in=accounts,
                                                        ends_on__gte=today,
                                                        ends_on__lte=horizon)
                         .select_related("account").prefetch_related("assets")
                         .order_by("ends_on", "pk")[:500])
    ]
    return warranties, contracts


def _chart(defects: list[dict[str, Any]], months: list[str]) -> dict[str, Any]:
    """Defects per month, one stacked dataset per severity (the page's Chart.js data)."""
    datasets = []
    for severity in Severity:
        counts = dict.fromkeys(months, 0)
        for defect in defects:
            if defect["severity"] == severity.value:
                counts[defect["month"]] += defect["count"]
        datasets.append({"label": str(severity.label), "data": [counts[m] for m in months]})
    return {"labels": months, "datasets": datasets}


def service_report(*, viewer: User, group_by: str = "severity", since: date | None = None,
                   until: date | None = None, today: date | None = None) -> ServiceReport:
    """The analysis for ``viewer``. Raises ValueError for an unknown ``group_by`` or bad
    period."""
    if group_by not in GROUP_BY:
        raise ValueError(_("Group by one of: %(choices)s.") % {"choices": ", ".join(GROUP_BY)})
    today = today or timezone.localdate()
    since, until = report_period(since, until, today=today)
    requests = report_requests(viewer=viewer, since=since, until=until)
    defects, months = _defects(requests)
    warranties, contracts = _renewals(viewer, today)
    return ServiceReport(
        group_by=group_by, since=since, until=until, groups=_groups(requests, group_by),
        totals=_totals(requests), defects=defects, months=months,
        backlog=_backlog(viewer), warranties_ending=warranties, contracts_ending=contracts,
        chart=_chart(defects, months))
