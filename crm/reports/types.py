"""The shape every report builder returns, which the pages, the API and the CSV/XLSX
downloads render (so a figure is computed once and shown everywhere the same).

A ``Report`` holds one or more ``ReportTable``s (e.g. the forecast's months and its reps,
or one table per currency when no exchange rates are set). A table has typed columns and
rows; each row may link to the list behind its figure (the click-through), and a table may
carry a ``Chart`` describing how to draw it from its own columns — a chart never has data
the table beside it lacks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

ColumnKind = Literal["text", "int", "money", "percent", "decimal", "days", "date"]
ChartKind = Literal["bar", "horizontal_bar", "line", "pie", "doughnut", "funnel"]


@dataclass(frozen=True)
class ReportFilters:
    """The filters every report accepts (page query string and API alike). ``start`` /
    ``end``: the period, inclusive, in the tenant's zone; ``team_id`` / ``rep_id`` narrow to
    a team or one rep, always inside what the viewer may see."""

    start: date | None = None
    end: date | None = None
    team_id: int | None = None
    rep_id: int | None = None
    # The pipeline of the funnel and the forecast (None: the default pipeline for the
    # funnel, every pipeline for the forecast); other reports ignore it.
    pipeline_id: int | None = None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ColumnKind = "text"
    # A money column's currency when the table holds several (one column per currency);
    # None: the table's ``currency``.
    currency: str | None = None
    # False for figures no list adds up to (a rate, a share, a target): the page links
    # only the cells of linked columns to the row's (or the cell's) list.
    linked: bool = True


@dataclass(frozen=True)
class Row:
    """``values``: column key -> value (Decimal for money/percent/decimal, int, str, date,
    None). ``link``: the URL of the list this row's figure counts (filters applied), or
    None when there is no such list."""

    values: dict[str, Any]
    link: str | None = None
    # Column key -> the list behind that one figure, where it differs from ``link`` (a
    # rep's KPI row: calls link to activities, orders to orders).
    cell_links: dict[str, str] = field(default_factory=dict)

    def link_for(self, column: str) -> str | None:
        return self.cell_links.get(column, self.link)


@dataclass(frozen=True)
class Series:
    """One data series of a chart: the column it draws and its legend label."""

    column: str
    label: str


@dataclass(frozen=True)
class Chart:
    kind: ChartKind
    label_column: str  # the column whose values label the x axis / slices
    series: tuple[Series, ...]
    stacked: bool = False


@dataclass
class ReportTable:
    key: str
    title: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    chart: Chart | None = None
    # The currency of every money column in this table (None: the table has no money, or
    # each row says its own currency in a "currency" column).
    currency: str | None = None
    # A totals row (column key -> value), shown under the rows; None: no totals.
    totals: dict[str, Any] | None = None


@dataclass
class ConversionNote:
    """Set when amounts were converted: the target currency and each rate used."""

    target: str
    rates: list[tuple[str, Decimal, date]]  # (currency, rate, valid_from)


@dataclass
class Report:
    slug: str
    title: str
    tables: list[ReportTable]
    filters: ReportFilters
    conversion: ConversionNote | None = None
    notes: list[str] = field(default_factory=list)
