"""Accounts by region and industry: each row's figure equals the account list its link
opens (as the same viewer), regions grouped case-insensitively like the list's filter, the
viewer's visibility and the rep/team narrowing hold, a fixed number of queries whatever the
number of accounts, and another tenant's accounts never count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.accounts.selectors import account_visible_queryset
from crm.reports.definitions.regions import regions_report
from crm.reports.registry import REPORTS
from crm.reports.types import ReportFilters
from tests.crm.accounts.factories import make_account
from tests.crm.core.factories import make_team
from tests.crm.reports.follow import api_rows, fresh_users, login

EVERYONE = ReportFilters()


@pytest.fixture
def people(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        return fresh_users(tenant_a)


def _world(people):
    """rep and manager share a team (manager manages it); rep2 is on no team."""
    rep, rep2, manager = people["rep"], people["rep2"], people["manager"]
    team = make_team("East", managers=[manager], members=[rep])
    spec = [  # (owner, region, industry)
        (rep, "North", "Banking"), (rep, "north", "Banking"), (rep, "South", ""),
        (rep2, "North", "Retail"), (rep2, "West", "Retail"), (rep2, "", "Banking"),
        (manager, "South", "Energy"), (None, "", ""), (None, "North", "Retail"),
    ]
    for owner, region, industry in spec:
        make_account(owner=owner, region=region, industry=industry)
    return team


def _rows(report, key):
    (table,) = [table for table in report.tables if table.key == key]
    return table


def _assert_rows_equal_their_lists(report, client):
    for key in ("region", "industry"):
        table = _rows(report, key)
        for row in table.rows:
            assert row.link is not None
            assert len(api_rows(client, row.link)) == row.values["accounts"], row
        assert table.totals["accounts"] == sum(row.values["accounts"] for row in table.rows)


def test_each_region_and_industry_equals_the_account_list_it_links_to(
        tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        for viewer in ("admin", "manager", "rep", "rep2", "readonly"):
            user = people[viewer]
            report = regions_report(user, EVERYONE)
            client = login(tenant_a, user)
            _assert_rows_equal_their_lists(report, client)
            assert _rows(report, "region").totals["accounts"] == \
                account_visible_queryset(viewer=user).count()


def test_regions_group_case_insensitively_and_blank_is_its_own_row(tenant_a, in_tenant,
                                                                    people):
    with in_tenant(tenant_a):
        _world(people)
        table = _rows(regions_report(people["admin"], EVERYONE), "region")
        counts = {row.values["region"]: row.values["accounts"] for row in table.rows}
        assert counts == {"North": 4, "South": 2, "West": 1, "No region": 2}
        assert table.chart is not None
        assert table.chart.kind == "pie"
        assert _rows(regions_report(people["admin"], EVERYONE), "industry").chart.kind == "bar"
        shares = [row.values["share"] for row in table.rows]
        assert table.totals["share"] == 100
        assert abs(sum(shares) - 100) < 1


def test_a_rep_sees_own_team_and_pool_accounts_a_manager_their_teams_admin_all(
        tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        totals = {viewer: _rows(regions_report(people[viewer], EVERYONE),
                                "region").totals["accounts"]
                  for viewer in ("admin", "manager", "rep", "rep2")}
    # rep: own 3 + pool 2 (the team's manager is not a member); manager: the team's member
    # (rep, 3) + own 1 + pool 2; rep2: own 3 + pool 2.
    assert totals == {"admin": 9, "manager": 6, "rep": 5, "rep2": 5}


def test_rep_and_team_filters_narrow_inside_the_viewers_visibility(
        tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        team = _world(people)
        admin = people["admin"]
        by_rep = regions_report(admin, ReportFilters(rep_id=people["rep2"].pk))
        assert _rows(by_rep, "region").totals["accounts"] == 3
        assert all(f"owner={people['rep2'].pk}" in row.link
                   for row in _rows(by_rep, "region").rows)
        by_team = regions_report(admin, ReportFilters(team_id=team.pk))
        assert _rows(by_team, "region").totals["accounts"] == 3  # rep's (the only member)
        assert all(f"team={team.pk}" in row.link for row in _rows(by_team, "region").rows)
        client = login(tenant_a, admin)
        _assert_rows_equal_their_lists(by_rep, client)
        _assert_rows_equal_their_lists(by_team, client)
        # A rep asking for another team's rep gets nothing beyond their own view.
        outside = regions_report(people["rep"], ReportFilters(rep_id=people["rep2"].pk))
        assert _rows(outside, "region").totals["accounts"] == 0


def test_the_report_runs_in_a_fixed_number_of_queries(tenant_a, in_tenant, people):
    def queries_with(accounts):
        for index in range(accounts):
            make_account(owner=people["rep"], region=f"Region {index}",
                         industry=f"Industry {index % 7}")
        viewer = type(people["rep"]).objects.get(pk=people["rep"].pk)
        with CaptureQueriesContext(connection) as captured:
            report = regions_report(viewer, EVERYONE)
        return len(captured), report

    with in_tenant(tenant_a):
        few, small = queries_with(3)
        many, large = queries_with(27)
    assert _rows(small, "region").totals["accounts"] == 3
    assert _rows(large, "region").totals["accounts"] == 30
    assert few == many


def test_another_tenants_accounts_never_count(tenant_a, tenant_b, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
    with in_tenant(tenant_b):
        admin_b = type(people["admin"]).objects.get(email="admin@beta.test")
        make_account(owner=admin_b, region="Beta Only", industry="Shipping")
        report = regions_report(admin_b, EVERYONE)
        table = _rows(report, "region")
        assert {row.values["region"]: row.values["accounts"] for row in table.rows} == {
            "Beta Only": 1}
        _assert_rows_equal_their_lists(report, login(tenant_b, admin_b))


def test_the_report_is_registered_for_sales_roles():
    spec = REPORTS["regions"]
    assert spec.builder is regions_report
    assert {"admin", "manager", "sales_rep", "read_only"} == set(spec.roles)
