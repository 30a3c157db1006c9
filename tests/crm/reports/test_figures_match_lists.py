"""Every figure a report links equals the list behind it, exactly: for each row (and each
linked cell) the API list with the link's filters has as many rows as the figure counts, and
its amounts add up to the figure's amount per currency. Checked as admin, manager and rep,
with and without a team or rep filter."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.crm.reports.conftest import PERIOD, api_list, as_decimal, money_sum, report_json

SUM_FIELDS = {"/crm/opportunities/": "amount", "/crm/orders/": "total"}


def _check_table(client: Any, table: dict[str, Any]) -> int:
    """Compare every linked figure of ``table`` with its list; the number of figures
    checked."""
    checked = 0
    fetched: dict[str, list[dict[str, Any]]] = {}
    for row in table["rows"]:
        for column in table["columns"]:
            if column["kind"] not in ("int", "money") or not column["linked"]:
                continue
            link = row["cell_links"].get(column["key"]) or row["link"]
            value = row["values"].get(column["key"])
            if link is None:
                continue
            if link not in fetched:
                fetched[link] = api_list(client, link)
            rows = fetched[link]
            if column["kind"] == "int":
                assert len(rows) == value, (table["key"], column["key"], row, link)
            else:
                field = SUM_FIELDS[link.split("?")[0]]
                assert money_sum(rows, field, column["currency"]) == as_decimal(value), (
                    table["key"], column["key"], row["values"], link)
            checked += 1
    return checked


def _check_totals(table: dict[str, Any]) -> None:
    if not table["totals"] or not table["rows"]:
        return
    for column in table["columns"]:
        if column["kind"] in ("int", "money") and column["key"] in table["totals"]:
            expected = sum((as_decimal(row["values"].get(column["key"]))
                            for row in table["rows"]), Decimal(0))
            assert as_decimal(table["totals"][column["key"]]) == expected, column["key"]


@pytest.mark.parametrize("slug", ["funnel", "forecast", "win-rate", "rep-kpis"])
@pytest.mark.parametrize("viewer", ["admin", "manager", "rep"])
def test_each_linked_figure_equals_its_list(world, client_for, slug, viewer):
    client = client_for(viewer)
    report = report_json(client, slug)
    checked = 0
    for table in report["tables"]:
        checked += _check_table(client, table)
        if slug != "win-rate":  # win-rate's totals are the overall row (pool deals too)
            _check_totals(table)
    assert checked >= 4, report


@pytest.mark.parametrize("slug", ["funnel", "forecast", "win-rate", "rep-kpis"])
def test_figures_equal_lists_with_a_team_or_rep_filter(world, client_for, slug):
    client = client_for("manager")
    for extra in (f"team={world.team.pk}", f"rep={world.users['rep'].pk}"):
        report = report_json(client, slug, f"{PERIOD}&{extra}")
        assert sum(_check_table(client, table) for table in report["tables"]) >= 2


def test_funnel_counts_open_deals_per_stage_and_closed_in_period(world, client_for):
    report = report_json(client_for("rep"), "funnel")
    rows = {row["values"]["stage"]: row["values"] for row in report["tables"][0]["rows"]}
    # The rep: one deal per open stage (plus one EUR deal in the first), one outside the
    # period; two won in the period (USD and EUR), one lost; one won last year not counted.
    assert rows["Qualification"]["count"] == 2
    assert rows["Won"]["count"] == 2
    assert rows["Lost"]["count"] == 1
    assert rows["Qualification"]["amount_EUR"] == "500.00"
    # Conversion: of the deals created now (all of them), those that reached Qualification
    # also reached Needs analysis unless they sat in Qualification or were lost there.
    qualification = rows["Qualification"]
    assert qualification["reached"] == 10  # every deal of the rep (lost ones too)
    assert Decimal(qualification["conversion"]) == (
        Decimal(100) * rows["Needs analysis"]["reached"] / 10).quantize(Decimal("0.1"))


def test_win_rate_per_rep(world, client_for):
    report = report_json(client_for("admin"), "win-rate")
    reps = {row["values"]["rep"]: row["values"] for row in report["tables"][0]["rows"]}
    rep = reps[world.users["rep"].display_name]
    assert rep["won"] == 2
    assert rep["lost"] == 1
    assert rep["win_rate"] == "66.7"
    assert rep["won_amount_USD"] == "2000.00"
    assert rep["won_amount_EUR"] == "700.00"
    assert rep["average_USD"] == "1000.00"  # per currency: USD won / all won deals


def test_rep_kpis_per_rep(world, client_for):
    report = report_json(client_for("manager"), "rep-kpis")
    reps = {row["values"]["rep"]: row["values"] for row in report["tables"][0]["rows"]}
    # The manager sees themselves and their team's rep, not rep2.
    assert set(reps) == {world.users["manager"].display_name, world.users["rep"].display_name}
    manager = reps[world.users["manager"].display_name]
    assert manager["calls"] == 3
    assert manager["visits"] == 3
    assert manager["leads_converted"] == 3
    assert manager["quotes_sent"] == 3
    assert manager["orders"] == 4  # three USD orders in March and one EUR in July
    assert manager["order_amount_USD"] == "2700.00"
    assert manager["collected_USD"] == "900.00"
