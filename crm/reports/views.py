"""Report pages: the dashboard of the viewer's role (/crm/reports/), one report with its
filters, charts, tables and downloads (/crm/reports/<slug>/), the exchange rates (admins)
and the sales-target grid (managers and admins). Adapters only: the figures come from the
registered builders, the rules from crm.reports.services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.core.decorators import capability_required
from crm.core.forms import apply_service_errors
from crm.reports import selectors, services
from crm.reports.forms import ExchangeRateForm, ReportFilterForm, TargetGridForm
from crm.reports.output import NUMERIC_KINDS, chart_spec, download, table_of
from crm.reports.registry import report_spec_get, reports_for
from crm.reports.types import ReportTable
from tenants.users.models import User
from tenants.users.permissions import Capability, can

DOWNLOAD_FORMATS = ("csv", "xlsx")


def _cells(table: ReportTable, values: dict[str, Any], links: Any) -> list[dict[str, Any]]:
    cells = []
    for column in table.columns:
        cells.append({
            "value": values.get(column.key), "kind": column.kind,
            "currency": column.currency or table.currency,
            "link": links(column.key) if column.kind in NUMERIC_KINDS and column.linked
            else None,
            "numeric": column.kind in NUMERIC_KINDS,
        })
    return cells


def table_context(table: ReportTable, index: str) -> dict[str, Any]:
    """What the table template needs: cells with their kind, currency and link."""
    rows = [{"cells": _cells(table, row.values, row.link_for)} for row in table.rows]
    totals = _cells(table, table.totals, lambda _key: None) if table.totals else None
    spec = chart_spec(table)
    return {"table": table, "rows": rows, "totals": totals, "chart": spec,
            "chart_id": f"chart-{index}-{table.key}",
            "chart_data_id": f"chart-{index}-{table.key}-data",
            "numeric_columns": [c for c in table.columns if c.kind in NUMERIC_KINDS]}


def _filters_form(request: HttpRequest) -> ReportFilterForm:
    form = ReportFilterForm(request.GET or None, viewer=request.user)
    if not request.GET:
        # Unbound: validate the defaults so the page always has filters to show.
        form = ReportFilterForm({}, viewer=request.user)
    return form


@capability_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    """The viewer's role's reports as tiles: each report's first chart and key figures."""
    form = _filters_form(request)
    tiles = []
    status = 200
    if form.is_valid():
        filters = form.report_filters()
        for spec in reports_for(request.user):
            report = spec.builder(request.user, filters)
            first = report.tables[0] if report.tables else None
            entry = table_context(first, spec.slug) if first else None
            tiles.append({"spec": spec, "report": report, "table": entry,
                          "figures": _key_figures(entry)})
    else:
        status = 400
    return render(request, "crm/reports/dashboard.html", {
        "form": form, "tiles": tiles, "query": _query(request),
        "may_edit_targets": _may_edit_targets(request.user),
        "may_edit_rates": can(request.user, Capability.MANAGE_SETTINGS)}, status=status)


def _key_figures(entry: dict[str, Any] | None) -> list[tuple[str, dict[str, Any]]]:
    """The first few totals of a tile's table: its key figures."""
    if entry is None or not entry["totals"] or not entry["rows"]:
        return []
    labelled = zip(entry["table"].columns, entry["totals"], strict=True)
    return [(str(column.label), cell) for column, cell in labelled
            if cell["numeric"] and cell["value"] is not None][:4]


def _query(request: HttpRequest) -> str:
    params = request.GET.copy()
    for name in ("format", "table"):
        params.pop(name, None)
    return params.urlencode()


@capability_required()
def report_detail(request: HttpRequest, slug: str) -> HttpResponse:
    spec = report_spec_get(request.user, slug)
    form = _filters_form(request)
    if not form.is_valid():
        return render(request, "crm/reports/report.html",
                      {"spec": spec, "form": form, "tables": [], "report": None}, status=400)
    report = spec.builder(request.user, form.report_filters())
    fmt = request.GET.get("format", "")
    if fmt:
        table = table_of(report, request.GET.get("table"))
        if fmt not in DOWNLOAD_FORMATS or table is None:
            raise Http404
        return download(report, table, fmt)
    tables = [table_context(table, spec.slug) for table in report.tables]
    return render(request, "crm/reports/report.html", {
        "spec": spec, "form": form, "report": report, "tables": tables,
        "query": _query(request), "may_edit_targets": _may_edit_targets(request.user)})


# --- exchange rates ------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_SETTINGS)
def exchange_rates(request: HttpRequest) -> HttpResponse:
    form = ExchangeRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.exchange_rate_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Exchange rate saved."))
            return redirect("crm_reports:exchange_rates")
    from crm.reports.currency import workspace_currency

    return render(request, "crm/reports/exchange_rates.html", {
        "form": form, "rates": selectors.exchange_rate_list(),
        "workspace_currency": workspace_currency()},
        status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_SETTINGS)
def exchange_rate_edit(request: HttpRequest, rate_id: int) -> HttpResponse:
    rate = selectors.exchange_rate_get(rate_id=rate_id)
    if request.method == "POST" and request.POST.get("delete"):
        services.exchange_rate_delete(exchange_rate=rate, actor=request.user)
        messages.success(request, _("Exchange rate deleted."))
        return redirect("crm_reports:exchange_rates")
    form = ExchangeRateForm(request.POST or None, initial={
        "currency": rate.currency, "rate": rate.rate, "valid_from": rate.valid_from})
    if request.method == "POST" and form.is_valid():
        try:
            services.exchange_rate_update(exchange_rate=rate, actor=request.user,
                                          **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Exchange rate saved."))
            return redirect("crm_reports:exchange_rates")
    return render(request, "crm/reports/exchange_rate_edit.html", {"form": form, "rate": rate},
                  status=400 if form.errors else 200)


# --- sales targets -------------------------------------------------------------------------

def _may_edit_targets(viewer: User) -> bool:
    team_ids = selectors.target_editable_team_ids(viewer)
    return team_ids is None or bool(team_ids)


@require_http_methods(["GET", "POST"])
@capability_required()
def targets(request: HttpRequest) -> HttpResponse:
    """The month x rep (and team) grid of one year's targets."""
    if not _may_edit_targets(request.user):
        raise PermissionDenied
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 1970), 2999)
    grid = selectors.target_grid(viewer=request.user, year=year)
    form = TargetGridForm(request.POST or None, grid=grid)
    if request.method == "POST" and form.is_valid():
        try:
            _save_grid(request.user, grid, form.changed_cells())
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("You may not set these targets."))
        else:
            messages.success(request, _("Targets saved."))
            return redirect(f"{request.path}?year={year}")
    return render(request, "crm/reports/targets.html", {
        "form": form, "grid": grid, "year": year, "rows": form.grid_rows()},
        status=400 if form.errors else 200)


def _save_grid(viewer: User, grid: dict[str, Any],
               cells: list[tuple[str, int, date, Decimal | None]]) -> None:
    from django.db import transaction

    reps = {rep.pk: rep for rep in grid["reps"]}
    teams = {team.pk: team for team in grid["teams"]}
    with transaction.atomic():
        for kind, subject_id, month, amount in cells:
            existing = grid["cells"].get((kind, subject_id, month))
            if amount is None:
                if existing is not None:
                    services.sales_target_delete(target=existing, actor=viewer)
                continue
            services.sales_target_set(
                actor=viewer, month=month, amount=amount,
                rep=reps[subject_id] if kind == "rep" else None,
                team=teams[subject_id] if kind == "team" else None,
                currency=existing.currency if existing else None)

