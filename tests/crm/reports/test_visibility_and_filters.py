"""Who sees which report and which figures; filter validation on the API (400) and the pages
(form errors)."""

from __future__ import annotations

import pytest

from tests.crm.reports.conftest import PERIOD, report_json, table


def _rep_names(report):
    return {row["values"]["rep"] for row in table(report, "reps")["rows"]}


def test_a_rep_sees_only_their_own_figures(world, client_for):
    client = client_for("rep")
    report = report_json(client, "rep-kpis")
    assert _rep_names(report) == {world.users["rep"].display_name}
    funnel = report_json(client, "funnel")
    for row in funnel["tables"][0]["rows"]:
        assert f"owner={world.users['rep'].pk}" in row["link"]


def test_a_rep_cannot_filter_to_a_colleague_or_a_team(world, client_for):
    client = client_for("rep")
    response = client.get(f"/api/v1/reports/funnel/?{PERIOD}&rep={world.users['rep2'].pk}")
    assert response.status_code == 400
    assert "rep" in response.json()
    response = client.get(f"/api/v1/reports/funnel/?{PERIOD}&team={world.team.pk}")
    assert response.status_code == 400
    assert "team" in response.json()


def test_a_manager_sees_their_teams_and_may_not_pick_another_rep(world, client_for):
    client = client_for("manager")
    report = report_json(client, "win-rate")
    assert _rep_names(report) == {world.users["manager"].display_name,
                                  world.users["rep"].display_name}
    response = client.get(f"/api/v1/reports/win-rate/?{PERIOD}&rep={world.users['rep2'].pk}")
    assert response.status_code == 400


def test_an_admin_sees_every_rep(world, client_for):
    report = report_json(client_for("admin"), "rep-kpis")
    assert {world.users[key].display_name for key in ("rep", "rep2", "manager")} \
        <= _rep_names(report)


@pytest.mark.parametrize("slug", ["funnel", "forecast", "win-rate", "rep-kpis"])
def test_service_agents_do_not_open_sales_reports(world, client_for, slug):
    client = client_for("agent")
    assert client.get(f"/api/v1/reports/{slug}/").status_code == 404
    assert client.get(f"/crm/reports/{slug}/").status_code == 404


def test_read_only_users_see_the_sales_reports(world, client_for):
    report = report_json(client_for("readonly"), "funnel")
    assert report["tables"][0]["rows"]


def test_unknown_report_is_a_json_404(world, client_for):
    response = client_for("admin").get("/api/v1/reports/nope/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(("query", "field"), [
    ("start=2026-13-01", "start"),
    ("period=custom&start=2026-05-01&end=2026-01-01", "end"),
    ("period=someday", "period"),
    ("start=0001-01-01&end=0001-02-01", "start"),
    ("period=custom&start=2000-01-01&end=2026-01-01", "end"),
    ("team=abc", "team"),
    ("rep=99999999999999999999", "rep"),
    ("pipeline=-1", "pipeline"),
])
def test_bad_filters_are_a_400_naming_the_field(world, client_for, query, field):
    response = client_for("admin").get(f"/api/v1/reports/funnel/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_bad_filters_are_form_errors_on_the_page(world, client_for):
    response = client_for("admin").get("/crm/reports/funnel/?start=2026-05-01&end=2026-01-01")
    assert response.status_code == 400
    assert "The end of the period is before its start." in response.content.decode()


def test_presets_set_the_period(world, client_for):
    from datetime import date

    from crm.reports.forms import preset_period

    assert preset_period("this_month", date(2026, 2, 10)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert preset_period("this_quarter", date(2026, 5, 10)) == (date(2026, 4, 1),
                                                                date(2026, 6, 30))
    assert preset_period("last_12_months", date(2026, 5, 10)) == (date(2025, 6, 1),
                                                                  date(2026, 5, 31))
    assert preset_period("this_year", date(2026, 5, 10)) == (date(2026, 1, 1),
                                                             date(2026, 12, 31))
    report = report_json(client_for("admin"), "funnel", "period=this_month")
    assert report["filters"]["start"].endswith("-01")


@pytest.mark.parametrize("viewer", ["admin", "manager", "rep", "agent", "readonly"])
def test_each_role_has_a_dashboard(world, client_for, viewer):
    response = client_for(viewer).get("/crm/reports/")
    assert response.status_code == 200
    body = response.content.decode()
    if viewer != "agent":
        assert "data-report-chart" in body
        assert '<caption>' in body
        assert 'scope="col"' in body


def test_the_report_page_draws_each_table_with_links_and_downloads(world, client_for):
    response = client_for("manager").get(f"/crm/reports/funnel/?{PERIOD}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "vendor/chartjs/chart.umd.js" in body
    assert "crm/reports/reports.js" in body
    assert 'aria-label="Chart: ' in body
    assert "format=csv&amp;table=stages" in body
    assert "format=xlsx&amp;table=stages" in body
    assert 'href="/crm/opportunities/?pipeline=' in body
    assert "<tfoot>" in body


def test_reports_are_in_the_navigation(world, client_for):
    body = client_for("rep").get("/crm/").content.decode()
    assert 'href="/crm/reports/"' in body
