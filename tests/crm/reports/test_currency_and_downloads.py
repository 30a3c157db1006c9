"""Amounts per currency without rates, converted with them (the rate and its date shown);
CSV and XLSX downloads hold the same figures as the report."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from crm.reports.models import ExchangeRate
from tests.crm.reports.conftest import PERIOD, YEAR, report_json, table


def test_without_rates_amounts_stay_per_currency(world, client_for):
    report = report_json(client_for("admin"), "win-rate")
    columns = {c["key"]: c for c in table(report, "reps")["columns"]}
    assert columns["won_amount_USD"]["currency"] == "USD"
    assert columns["won_amount_EUR"]["currency"] == "EUR"
    assert report["conversion"] is None


def test_with_rates_amounts_are_converted_and_the_rate_shown(world, client_for, tenant_a,
                                                             in_tenant):
    with in_tenant(tenant_a):
        ExchangeRate.objects.create(currency="EUR", rate=Decimal("1.5"),
                                    valid_from=date(YEAR, 1, 1))
        # A later rate after the period's end is not used.
        ExchangeRate.objects.create(currency="EUR", rate=Decimal("9"),
                                    valid_from=date(YEAR + 1, 1, 1))
    client = client_for("admin")
    report = report_json(client, "win-rate")
    rows = {row["values"]["rep"]: row["values"] for row in table(report, "reps")["rows"]}
    rep = rows[world.users["rep"].display_name]
    # 2000 USD + 700 EUR at 1.5.
    assert rep["won_amount"] == "3050.00"
    assert report["conversion"] == {"target": "USD", "rates": [
        {"currency": "EUR", "rate": "1.5000000000", "valid_from": f"{YEAR}-01-01"}]}
    page = client.get(f"/crm/reports/win-rate/?{PERIOD}").content.decode()
    assert "Amounts converted into USD" in page


def test_a_currency_without_a_rate_keeps_the_report_per_currency(world, client_for, tenant_a,
                                                                 in_tenant):
    with in_tenant(tenant_a):
        ExchangeRate.objects.create(currency="GBP", rate=Decimal("1.2"),
                                    valid_from=date(YEAR, 1, 1))
    report = report_json(client_for("admin"), "win-rate")
    keys = {c["key"] for c in table(report, "reps")["columns"]}
    assert {"won_amount_USD", "won_amount_EUR"} <= keys
    assert report["conversion"] is None
    assert any("EUR" in note for note in report["notes"])


def _report_cells(report, key):
    data = table(report, key)
    return data, [[row["values"].get(c["key"]) for c in data["columns"]]
                  for row in data["rows"]]


def _same(file_value, json_value):
    if json_value is None:
        return file_value in ("", None)
    if isinstance(json_value, int):
        return int(file_value) == json_value
    try:
        return Decimal(str(file_value)) == Decimal(str(json_value))
    except ArithmeticError:
        return str(file_value) == str(json_value)


def test_csv_and_xlsx_downloads_hold_the_report_figures(world, client_for):
    client = client_for("manager")
    for path in ("/api/v1/reports/rep-kpis/", "/crm/reports/rep-kpis/"):
        report = report_json(client, "rep-kpis")
        data, cells = _report_cells(report, "reps")
        response = client.get(f"{path}?{PERIOD}&format=csv&table=reps")
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        lines = list(csv.reader(io.StringIO(text)))
        assert lines[0] == [c["label"] for c in data["columns"]]
        body, totals = lines[1:-1], lines[-1]
        assert len(body) == len(cells)
        for file_row, json_row in zip(body, cells, strict=True):
            assert all(_same(f, j) for f, j in zip(file_row, json_row, strict=True)), file_row
        assert _same(totals[1], data["totals"]["calls"])

        response = client.get(f"{path}?{PERIOD}&format=xlsx&table=reps")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = list(sheet.iter_rows(values_only=True))
        for file_row, json_row in zip(rows[1:-1], cells, strict=True):
            assert all(_same(f, j) for f, j in zip(file_row, json_row, strict=True)), file_row


def test_download_of_an_unknown_table_is_refused(world, client_for):
    client = client_for("admin")
    assert client.get(f"/api/v1/reports/funnel/?{PERIOD}&format=csv&table=x").status_code == 400
    assert client.get(f"/crm/reports/funnel/?{PERIOD}&format=csv&table=x").status_code == 404


def test_download_cells_are_formula_safe(world, client_for, tenant_a, in_tenant):
    from tenants.users.models import User

    with in_tenant(tenant_a):
        User.objects.filter(pk=world.users["rep"].pk).update(first_name="=HYPERLINK(1)")
    response = client_for("rep").get(f"/api/v1/reports/rep-kpis/?{PERIOD}&format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
