"""Service analysis: the figures equal the lists they summarise (defects by month, product
and severity; means; attainment by group; backlog per agent; renewals), the page and the API
agree, visibility and isolation hold, bad parameters answer 400."""

from datetime import UTC, date, datetime, timedelta
from statistics import mean

import pytest
from django.utils import timezone

from crm.service.models import RequestStatus, ServiceQueue
from crm.service.reports import report_requests, service_report
from tests.crm.accounts.factories import make_account
from tests.crm.catalog.factories import make_product
from tests.crm.service.sla_factories import make_asset, make_contract, make_policy, make_request

API = "/api/v1/reports/service/"
SINCE, UNTIL = date(2026, 9, 1), date(2026, 11, 30)


def at(month, day, hour=2):
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def world(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        rep, agent, manager = (tenant_a.users[k] for k in ("rep", "agent", "manager"))
        mine = make_account(name="Mine", owner=rep)
        theirs = make_account(name="Theirs", owner=tenant_a.users["rep2"])
        product = make_product(actor=tenant_a.users["admin"], name="Gateway G10")
        gateway = make_asset(account=mine, product=product, make="", model="",
                             warranty_end=timezone.localdate() + timedelta(days=30))
        third_party = make_asset(account=theirs, make="Acme", model="PLC-9")
        queue = ServiceQueue.objects.create(name="Hardware")
        policy = make_policy()
        make_contract(account=mine, sla_policy=policy, starts_on=date(2026, 1, 1),
                      ends_on=timezone.localdate() + timedelta(days=60))
        rows = [
            # (account, asset, severity, reported, responded after h, resolved after h,
            #  breached, status, assignee, queue)
            (mine, gateway, "critical", at(9, 3), 1, 5, False, RequestStatus.RESOLVED,
             agent, queue),
            (mine, gateway, "critical", at(9, 20), 2, None, True, RequestStatus.IN_PROGRESS,
             agent, queue),
            (mine, gateway, "high", at(10, 5), 3, 30, True, RequestStatus.CLOSED, manager,
             queue),
            (theirs, third_party, "high", at(10, 6), None, None, False, RequestStatus.NEW,
             None, None),
            (theirs, third_party, "low", at(11, 1), 4, 8, False, RequestStatus.RESOLVED,
             agent, queue),
            (mine, None, "normal", at(11, 2), 1, None, False,
             RequestStatus.WAITING_ON_CUSTOMER, agent, None),
            # Outside the period: counted in the backlog (open), not in the period figures.
            (mine, gateway, "normal", at(8, 1), None, None, True, RequestStatus.ASSIGNED,
             agent, queue),
        ]
        for account, asset, severity, reported, responded, resolved, breached, status, \
                assignee, in_queue in rows:
            make_request(
                account=account, asset=asset, severity=severity, reported_at=reported,
                first_response_at=reported + timedelta(hours=responded) if responded else None,
                resolved_at=reported + timedelta(hours=resolved) if resolved else None,
                resolution_due=reported + timedelta(hours=6), sla_policy=policy,
                breached=breached, status=status, assignee=assignee, queue=in_queue)
        yield {"rep": rep, "agent": agent, "manager": manager, "mine": mine,
               "theirs": theirs, "gateway": gateway, "product": product, "queue": queue}


def _report(tenant_a, group_by="severity", viewer="admin"):
    return service_report(viewer=tenant_a.users[viewer], group_by=group_by, since=SINCE,
                          until=UNTIL)


def test_defect_counts_equal_the_requests_against_assets(tenant_a, world):
    report = _report(tenant_a)
    listed = report_requests(viewer=tenant_a.users["admin"], since=SINCE, until=UNTIL)
    against_assets = listed.filter(asset__isnull=False)
    assert sum(d["count"] for d in report.defects) == against_assets.count() == 5
    for defect in report.defects:
        rows = [r for r in against_assets.select_related("asset")
                if timezone.localtime(r.reported_at).strftime("%Y-%m") == defect["month"]
                and r.severity == defect["severity"]
                and (r.asset.product_id == defect["product"] if defect["product"]
                     else (r.asset.make, r.asset.model) == (defect["make"], defect["model"]))]
        assert len(rows) == defect["count"]
    labels = {d["label"] for d in report.defects}
    assert labels == {"Gateway G10", "Acme PLC-9"}
    assert report.months == ["2026-09", "2026-10", "2026-11"]
    critical = next(ds for ds in report.chart["datasets"] if ds["label"] == "Critical")
    assert critical["data"] == [2, 0, 0]


def test_group_figures_equal_the_listed_requests(tenant_a, world):
    listed = list(report_requests(viewer=tenant_a.users["admin"], since=SINCE, until=UNTIL))
    for group_by in ("severity", "product", "queue", "agent"):
        report = _report(tenant_a, group_by)
        assert sum(g.requests for g in report.groups) == len(listed) == report.totals.requests
        assert sum(g.sla_missed for g in report.groups) == sum(r.breached for r in listed)
        assert sum(g.sla_met for g in report.groups) == sum(
            1 for r in listed if r.resolved_at and not r.breached)
    totals = _report(tenant_a).totals
    responded = [(r.first_response_at - r.reported_at).total_seconds() / 60 for r in listed
                 if r.first_response_at]
    resolved = [(r.resolved_at - r.reported_at).total_seconds() / 60 for r in listed
                if r.resolved_at]
    assert totals.mean_first_response_minutes == pytest.approx(mean(responded), abs=0.1)
    assert totals.mean_resolution_minutes == pytest.approx(mean(resolved), abs=0.1)
    assert (totals.sla_met, totals.sla_missed, totals.sla_attainment) == (2, 2, 0.5)


def test_attainment_by_severity_queue_and_agent(tenant_a, world):
    by_severity = {g.key: g for g in _report(tenant_a, "severity").groups}
    assert list(by_severity) == ["critical", "high", "normal", "low"]
    assert (by_severity["critical"].sla_met, by_severity["critical"].sla_missed) == (1, 1)
    assert by_severity["low"].sla_attainment == 1.0
    assert by_severity["normal"].sla_attainment is None  # open, not decided yet
    by_agent = {g.label: g for g in _report(tenant_a, "agent").groups}
    assert by_agent[world["agent"].display_name].requests == 4
    assert by_agent["Unassigned"].requests == 1
    by_queue = {g.key: g for g in _report(tenant_a, "queue").groups}
    assert by_queue[str(world["queue"].pk)].requests == 4
    assert by_queue["none"].requests == 2
    by_product = {g.label: g.requests for g in _report(tenant_a, "product").groups}
    assert by_product == {"Gateway G10": 3, "Acme PLC-9": 2, "No asset": 1}


def test_backlog_counts_open_requests_per_agent(tenant_a, world):
    from crm.service.models import ServiceRequest

    report = _report(tenant_a)
    backlog = {row["name"]: row for row in report.backlog}
    open_rows = ServiceRequest.objects.exclude(
        status__in=[RequestStatus.RESOLVED, RequestStatus.CLOSED])
    assert sum(row["open"] for row in report.backlog) == open_rows.count() == 4
    agent = backlog[world["agent"].display_name]
    assert agent["open"] == open_rows.filter(assignee=world["agent"]).count() == 3
    assert agent["breached"] == open_rows.filter(assignee=world["agent"], breached=True).count()


def test_renewals_list_warranties_and_contracts_ending_within_90_days(tenant_a, world):
    report = _report(tenant_a)
    assert [w["asset"] for w in report.warranties_ending] == [world["gateway"].pk]
    assert [c["account"] for c in report.contracts_ending] == [world["mine"].pk]


def test_reps_only_count_requests_of_accounts_they_see(tenant_a, world):
    report = _report(tenant_a, viewer="rep")
    assert report.totals.requests == 4
    assert {d["label"] for d in report.defects} == {"Gateway G10"}
    assert report.warranties_ending
    assert all(
        w["account"] == world["mine"].pk for w in report.warranties_ending)


def test_the_api_answers_the_same_figures(tenant_a, tenant_client, world):
    expected = _report(tenant_a, "queue").as_dict()
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.get(API, {"group_by": "queue", "since": "2026-09-01",
                                "until": "2026-11-30"})
    assert response.status_code == 200
    # Issue 10's keys carry exactly the analysis (issue 12's report keys ride beside them).
    assert {key: response.json()[key] for key in expected} == expected
    assert set(response.json()) == {"group_by", "since", "until", "groups", "totals",
                                    "defects", "backlog", "renewals", "slug", "title",
                                    "filters", "tables", "conversion", "notes"}


@pytest.mark.parametrize("query", [{"group_by": "colour"}, {"since": "yesterday"},
                                   {"since": "2026-12-01", "until": "2026-01-01"},
                                   {"since": "2000-01-01", "until": "2026-01-01"}])
def test_bad_report_parameters_answer_400(tenant_a, tenant_client, query):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.get(API, query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_the_page_shows_the_figures_chart_and_table(tenant_a, tenant_client, world,
                                                    django_assert_max_num_queries):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    client.get("/crm/service/reports/")
    with django_assert_max_num_queries(25):
        response = client.get("/crm/service/reports/", {"group_by": "agent",
                                                        "since": "2026-09-01",
                                                        "until": "2026-11-30"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-chart="defects"' in html
    assert "service-charts" in html
    assert "vendor/chartjs/chart.umd.js" in html
    assert "Gateway G10" in html
    assert world["agent"].display_name in html


def test_another_tenant_sees_none_of_it(tenant_a, tenant_b, tenant_client, world):
    client = tenant_client(tenant_b, tenant_b.users["admin"])
    data = client.get(API, {"since": "2026-01-01", "until": "2026-12-31"}).json()
    assert data["totals"]["requests"] == 0
    assert data["backlog"] == []
    assert data["renewals"] == {"warranties": [], "contracts": []}


def test_one_path_answers_both_the_analysis_and_the_dashboards_service_report(
        world, tenant_a, tenant_client):
    """GET /api/v1/reports/service/ is issue 10's analysis and issue 12's ``service``
    report at once: both sets of keys and filters, the dashboards' downloads, and a role
    without the dashboards' report still gets the analysis."""
    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    body = admin.get(API, {"since": SINCE.isoformat(), "until": UNTIL.isoformat(),
                           "start": SINCE.isoformat(), "end": UNTIL.isoformat()}).json()
    assert body["since"] == SINCE.isoformat()
    assert body["slug"] == "service"
    assert body["filters"]["start"] == SINCE.isoformat()
    assert {table["key"] for table in body["tables"]}
    assert "groups" in body
    download = admin.get(API, {"format": "csv", "table": body["tables"][0]["key"]})
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert admin.get(API, {"start": "not-a-date"}).status_code == 400
    rep = tenant_client(tenant_a, tenant_a.users["rep"])
    answer = rep.get(API)
    assert answer.status_code == 200
    assert "slug" not in answer.json()
    assert "groups" in answer.json()
