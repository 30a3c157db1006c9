"""Service report: SLA attainment and mean time to resolve per severity, the open backlog by
status and severity, and defects per product each equal the request list their link opens
(as the same viewer); the figures are crm.service.reports'; visibility; a fixed number of
queries; tenant isolation."""

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.reports.definitions.service import service_dashboard_report
from crm.reports.types import ReportFilters
from crm.service.models import RequestStatus, Severity
from crm.service.reports import service_report
from tenants.users.models import User
from tests.crm.accounts.factories import make_account
from tests.crm.catalog.factories import make_product
from tests.crm.reports.follow import api_rows, fresh_users, login
from tests.crm.service.sla_factories import make_asset, make_policy, make_request

PERIOD = ReportFilters(start=date(2026, 9, 1), end=date(2026, 11, 30))


@pytest.fixture
def people(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        return fresh_users(tenant_a)


def at(month, day, hour=2):
    return datetime(2026, month, day, hour, tzinfo=UTC)


def _world(people):
    rep, rep2, agent = people["rep"], people["rep2"], people["agent"]
    mine = make_account(name="Mine", owner=rep)
    theirs = make_account(name="Theirs", owner=rep2)
    gateway = make_product(actor=people["admin"], name="Gateway G10")
    sensor = make_product(actor=people["admin"], name="Sensor S2")
    gateway_asset = make_asset(account=mine, product=gateway, make="", model="")
    sensor_asset = make_asset(account=theirs, product=sensor, make="", model="")
    third_party = make_asset(account=theirs, make="Acme", model="PLC-9")
    policy = make_policy()
    rows = [  # (account, asset, severity, reported, resolved after h, breached, status)
        (mine, gateway_asset, "critical", at(9, 3), 5, False, RequestStatus.RESOLVED),
        (mine, gateway_asset, "critical", at(9, 20), None, True, RequestStatus.IN_PROGRESS),
        (mine, gateway_asset, "high", at(10, 5), 30, True, RequestStatus.CLOSED),
        (theirs, sensor_asset, "high", at(10, 6), None, False, RequestStatus.NEW),
        (theirs, third_party, "low", at(11, 1), 8, False, RequestStatus.RESOLVED),
        (theirs, sensor_asset, "normal", at(11, 2), 2, False, RequestStatus.RESOLVED),
        (mine, None, "normal", at(11, 3), None, False, RequestStatus.WAITING_ON_CUSTOMER),
        # Outside the period: in the backlog (open), not in the period's figures.
        (mine, gateway_asset, "normal", at(8, 1), None, True, RequestStatus.ASSIGNED),
        (theirs, sensor_asset, "low", at(12, 2), None, False, RequestStatus.NEW),
    ]
    for account, asset, severity, reported, resolved, breached, status in rows:
        make_request(account=account, asset=asset, severity=severity, reported_at=reported,
                     first_response_at=reported + timedelta(hours=1),
                     resolved_at=reported + timedelta(hours=resolved) if resolved else None,
                     resolution_due=reported + timedelta(hours=6), sla_policy=policy,
                     breached=breached, status=status, assignee=agent)


def _tables(report):
    return {table.key: table for table in report.tables}


def _hours(requests):
    spans = [datetime.fromisoformat(r["resolved_at"]) - datetime.fromisoformat(r["reported_at"])
             for r in requests if r["resolved_at"]]
    if not spans:
        return None
    mean = sum(spans, timedelta(0)) / len(spans)
    return (Decimal(str(round(mean.total_seconds() / 60, 1))) / 60).quantize(
        Decimal("0.1"), ROUND_HALF_UP)


def _assert_rows_equal_their_lists(report, client):
    tables = _tables(report)
    for row in tables["sla"].rows:
        requests = api_rows(client, row.link)
        assert len(requests) == row.values["requests"], row
        assert sum(1 for r in requests if r["resolved_at"]) == row.values["resolved"]
        assert len(api_rows(client, f"{row.link}&breached=true")) == row.values["sla_missed"]
        assert _hours(requests) == row.values["mean_resolution_hours"], row
    for row in tables["backlog"].rows:
        assert len(api_rows(client, row.link)) == row.values["total"], row
        for severity in Severity.values:
            listed = api_rows(client, f"{row.link}&severity={severity}")
            assert len(listed) == row.values[severity], (row, severity)
    for row in tables["defects"].rows:
        if row.link is not None:
            assert len(api_rows(client, row.link)) == row.values["requests"], row


def test_each_figure_equals_the_request_list_it_links_to(tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        for viewer in ("admin", "agent", "manager", "rep", "readonly"):
            report = service_dashboard_report(people[viewer], PERIOD)
            _assert_rows_equal_their_lists(report, login(tenant_a, people[viewer]))


def test_the_figures_are_the_service_reports(tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        report = service_dashboard_report(people["admin"], PERIOD)
        source = service_report(viewer=people["admin"], group_by="severity",
                                since=PERIOD.start, until=PERIOD.end)
    tables = _tables(report)
    sla = {row.values["severity"]: row.values for row in tables["sla"].rows}
    assert sla["Critical"]["requests"] == 2
    assert (sla["Critical"]["sla_met"], sla["Critical"]["sla_missed"]) == (1, 1)
    assert sla["Critical"]["attainment"] == Decimal("50.0")
    assert sla["Critical"]["mean_resolution_hours"] == Decimal("5.0")
    assert tables["sla"].totals["requests"] == source.totals.requests == 7
    assert tables["sla"].totals["sla_met"] == source.totals.sla_met
    backlog = {row.values["status"]: row.values for row in tables["backlog"].rows}
    assert backlog["New"]["high"] == 1
    assert backlog["New"]["low"] == 1
    assert backlog["Assigned"]["normal"] == 1
    assert tables["backlog"].totals["total"] == 5
    defects = {row.values["product"]: row for row in tables["defects"].rows}
    assert {name: row.values["requests"] for name, row in defects.items()} == {
        "Gateway G10": 3, "Sensor S2": 2, "Acme PLC-9": 1}
    assert defects["Acme PLC-9"].link is None  # no product filter for third-party assets
    assert tables["defects"].totals["requests"] == 6
    assert tables["defects"].chart is not None
    assert tables["defects"].chart.kind == "bar"


def test_a_rep_counts_the_requests_of_accounts_they_see(tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        totals = {viewer: _tables(service_dashboard_report(people[viewer], PERIOD))
                  ["sla"].totals["requests"] for viewer in ("admin", "agent", "rep", "rep2")}
    assert totals == {"admin": 7, "agent": 7, "rep": 4, "rep2": 3}


def test_rep_and_team_filters_are_noted_not_applied(tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        report = service_dashboard_report(people["admin"], ReportFilters(
            start=PERIOD.start, end=PERIOD.end, rep_id=people["rep"].pk))
    assert _tables(report)["sla"].totals["requests"] == 7
    assert any("rep" in note for note in report.notes)


def test_a_too_long_period_falls_back_to_the_last_year_with_a_note(tenant_a, in_tenant,
                                                                   people):
    with in_tenant(tenant_a):
        report = service_dashboard_report(people["admin"], ReportFilters(
            start=date(2010, 1, 1), end=date(2026, 1, 1)))
    assert (report.filters.end - report.filters.start).days == 364
    assert len(report.notes) == 2


def test_the_report_runs_in_a_fixed_number_of_queries(tenant_a, in_tenant, people):
    def queries_with(requests):
        account = make_account(name=f"Budget {requests}", owner=people["rep"])
        for index in range(requests):
            product = make_product(actor=people["admin"], name=f"Budget {requests}-{index}")
            asset = make_asset(account=account, product=product, make="", model="")
            make_request(account=account, asset=asset, reported_at=at(10, 1 + index % 28),
                         severity=Severity.values[index % 4],
                         status=RequestStatus.values[index % len(RequestStatus.values)])
        user = User.objects.get(pk=people["rep"].pk)
        with CaptureQueriesContext(connection) as captured:
            report = service_dashboard_report(user, PERIOD)
        return len(captured), len(_tables(report)["defects"].rows)

    with in_tenant(tenant_a):
        few, small = queries_with(3)
        many, large = queries_with(27)
    assert (small, large) == (3, 30)
    assert few == many


def test_another_tenants_requests_never_count(tenant_a, tenant_b, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
    with in_tenant(tenant_b):
        admin_b = User.objects.get(email="admin@beta.test")
        account = make_account(name="Beta site", owner=admin_b)
        make_request(account=account, reported_at=at(10, 10), severity="high")
        report = service_dashboard_report(admin_b, PERIOD)
    assert _tables(report)["sla"].totals["requests"] == 1
    assert _tables(report)["defects"].rows == []
