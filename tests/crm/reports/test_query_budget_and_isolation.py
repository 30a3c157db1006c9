"""Report computation costs a fixed number of queries whatever the number of reps (no N+1),
and a tenant's reports never count another tenant's records."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.reports.registry import REPORTS
from crm.reports.types import ReportFilters
from tenants.users.models import Role, User, UserKind
from tests.crm.reports.conftest import (
    YEAR,
    build_world,
    make_activity,
    make_deal,
    make_order,
    report_json,
    stages_by_name,
    table,
)

FILTERS = ReportFilters(start=date(YEAR, 1, 1), end=date(YEAR, 12, 31))


def _add_reps(count: int, batch: str) -> None:
    stages = stages_by_name()
    for index in range(count):
        rep = User.objects.create_user(email=f"budget-{batch}{index}@alpha.test", password="x",
                                       role=Role.SALES_REP, kind=UserKind.STAFF)
        make_deal(owner=rep, stage=stages["Proposal"])
        make_deal(owner=rep, stage=stages["Won"], closed_on=date(YEAR, 3, 1))
        make_activity(rep, "call", date(YEAR, 3, 2))
        make_order(rep, total="10", day=date(YEAR, 3, 3))


def _queries(viewer: User, slug: str) -> int:
    viewer.__dict__.pop("_owner_scope", None)
    with CaptureQueriesContext(connection) as context:
        REPORTS[slug].builder(viewer, FILTERS)
    return len(context.captured_queries)


@pytest.mark.parametrize("slug", ["funnel", "forecast", "win-rate", "rep-kpis"])
def test_report_queries_do_not_grow_with_reps(tenant_a, in_tenant, slug):
    with in_tenant(tenant_a):
        build_world(tenant_a)
        admin = User.objects.get(pk=tenant_a.users["admin"].pk)
        _add_reps(3, "a")
        few = _queries(admin, slug)
        _add_reps(27, "b")
        many = _queries(admin, slug)
    assert many == few, (few, many)
    assert few <= 16


def test_tenant_b_reports_never_count_tenant_a(tenant_a, tenant_b, in_tenant, tenant_client):
    with in_tenant(tenant_a):
        build_world(tenant_a)
    client = tenant_client(tenant_b, tenant_b.users["admin"])
    for slug in ("funnel", "forecast", "win-rate", "rep-kpis"):
        report = report_json(client, slug)
        for data in report["tables"]:
            for row in data["rows"]:
                for column in data["columns"]:
                    if column["kind"] in ("int", "money"):
                        value = row["values"].get(column["key"])
                        assert value in (None, 0, "0.00", "0"), (slug, row)


def test_tenant_b_cannot_filter_to_tenant_a_ids(tenant_a, tenant_b, in_tenant, tenant_client):
    with in_tenant(tenant_a):
        world = build_world(tenant_a)
    client = tenant_client(tenant_b, tenant_b.users["admin"])
    for query in (f"team={world.team.pk}", f"rep={world.users['rep'].pk}"):
        assert client.get(f"/api/v1/reports/funnel/?{query}").status_code == 400


def test_a_rep_count_shows_in_the_admin_report(tenant_a, in_tenant, tenant_client):
    with in_tenant(tenant_a):
        build_world(tenant_a)
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    rows = table(report_json(client, "rep-kpis"), "reps")["rows"]
    assert any(row["values"]["calls"] for row in rows)
