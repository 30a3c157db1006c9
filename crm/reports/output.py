"""One report, three renderings: the JSON the API answers (and the pages' chart data), the
rows of a CSV/XLSX download, and the chart spec the page's script draws. Every one reads the
same ``Report``, so the page, the API and the files show the same figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from crm.core.api.export import csv_stream, xlsx_file
from crm.reports.types import Report, ReportTable

NUMERIC_KINDS = ("int", "money", "percent", "decimal", "days")


def _plain(value: Any) -> Any:
    """JSON value of a cell: money and ratios as strings (crm.core.money), dates ISO."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def table_json(table: ReportTable) -> dict[str, Any]:
    return {
        "key": table.key,
        "title": str(table.title),
        "currency": table.currency,
        "columns": [{"key": column.key, "label": str(column.label), "kind": column.kind,
                     "currency": column.currency, "linked": column.linked}
                    for column in table.columns],
        "rows": [{"values": {key: _plain(value) for key, value in row.values.items()},
                  "link": row.link, "cell_links": dict(row.cell_links)}
                 for row in table.rows],
        "totals": ({key: _plain(value) for key, value in table.totals.items()}
                   if table.totals is not None else None),
        "chart": chart_spec(table),
    }


def report_json(report: Report) -> dict[str, Any]:
    filters = report.filters
    conversion = None
    if report.conversion is not None:
        conversion = {"target": report.conversion.target,
                      "rates": [{"currency": code, "rate": str(rate),
                                 "valid_from": valid_from.isoformat()}
                                for code, rate, valid_from in report.conversion.rates]}
    return {
        "slug": report.slug,
        "title": str(report.title),
        "filters": {"start": _plain(filters.start), "end": _plain(filters.end),
                    "team": filters.team_id, "rep": filters.rep_id,
                    "pipeline": filters.pipeline_id},
        "tables": [table_json(table) for table in report.tables],
        "conversion": conversion,
        "notes": [str(note) for note in report.notes],
    }


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal | int | float):
        return float(value)
    return None


def chart_spec(table: ReportTable) -> dict[str, Any] | None:
    """What the page's script needs to draw the table's chart: its kind, the labels (the
    label column) and one dataset per series, from the table's own rows."""
    chart = table.chart
    if chart is None:
        return None
    columns = {column.key: column for column in table.columns}
    series = [s for s in chart.series if s.column in columns]
    labels = [str(row.values.get(chart.label_column, "")) for row in table.rows]
    datasets = [{"label": str(s.label), "column": s.column,
                 "data": [_number(row.values.get(s.column)) for row in table.rows]}
                for s in series]
    if chart.kind in ("pie", "doughnut") and len(table.rows) == 1 and len(series) > 1:
        # One row, several figures: each figure is a slice.
        labels = [str(s.label) for s in series]
        datasets = [{"label": str(table.title), "column": "",
                     "data": [_number(table.rows[0].values.get(s.column)) for s in series]}]
    return {"kind": chart.kind, "stacked": chart.stacked, "labels": labels,
            "datasets": datasets, "title": str(table.title)}


def table_cells(table: ReportTable) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of a download: the table's columns, its rows, then its totals.
    Numbers stay numbers (Decimal as written, never a float's rounding)."""
    header = [str(column.label) for column in table.columns]
    rows = [[row.values.get(column.key) for column in table.columns] for row in table.rows]
    if table.totals is not None:
        rows.append([table.totals.get(column.key) for column in table.columns])
    return header, [[_cell(value) for value in row] for row in rows]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def download(report: Report, table: ReportTable, fmt: str
             ) -> StreamingHttpResponse | FileResponse:
    header, rows = table_cells(table)
    name = f"{report.slug}-{table.key}-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "csv":
        return csv_stream(header, iter(rows), name)
    return xlsx_file(header, iter(rows), name, sheet_title=table.key)


def table_of(report: Report, key: str | None) -> ReportTable | None:
    """The table ``key`` (the first when no key is given); None for an unknown key."""
    if not key:
        return report.tables[0] if report.tables else None
    return next((table for table in report.tables if table.key == key), None)
