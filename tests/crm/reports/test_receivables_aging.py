"""Receivables aging report: every bucket and total of each rep's and each account's row
equals the instalment list its link opens (the page, as the same viewer); the figures are
crm.receivables' aging_report; per currency without rates, converted with rates (and the
note); visibility and the rep/team narrowing; a fixed number of queries; isolation."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.orders.models import Order
from crm.receivables.selectors import BUCKET_KEYS, aging_report
from crm.reports.definitions.receivables_aging import receivables_aging_report
from crm.reports.models import ExchangeRate
from crm.reports.types import ReportFilters
from tenants.users.models import User
from tests.crm.accounts.factories import make_account
from tests.crm.core.factories import make_team
from tests.crm.receivables.factories import make_order, make_schedule
from tests.crm.reports.follow import fresh_users, login, page_context

D = Decimal
AS_OF = date(2026, 6, 30)
ON = ReportFilters(end=AS_OF)


@pytest.fixture
def people(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        return fresh_users(tenant_a)


def _world(people):
    admin, rep, rep2, manager = (people[k] for k in ("admin", "rep", "rep2", "manager"))
    team = make_team("East", managers=[manager], members=[rep])
    north = make_account(name="North Works", owner=rep)
    south = make_account(name="South Works", owner=rep2)
    plan = [  # (account, owner, currency, [(days overdue, amount)])
        (north, rep, "USD", [(-10, "100"), (5, "200"), (45, "300")]),
        (north, rep, "EUR", [(70, "400"), (120, "500")]),
        (south, rep2, "USD", [(0, "150"), (31, "250"), (95, "350")]),
        (south, None, "USD", [(15, "60")]),
        (north, rep2, "USD", [(61, "70")]),
    ]
    for account, owner, currency, due in plan:
        total = sum(D(amount) for _days, amount in due)
        order = make_order(account=account, actor=admin, owner=owner, total=str(total),
                           currency=currency)
        if owner is None:  # order_create makes the actor the owner; this one has none
            Order.objects.filter(pk=order.pk).update(owner=None)
            order.refresh_from_db()
        make_schedule(order=order, actor=admin,
                      plan=[(AS_OF - timedelta(days=days), amount) for days, amount in due])
    return {"team": team, "north": north, "south": south}


def _open_on(client, link):
    totals = page_context(client, link)["totals"]
    return {row["order__currency"]: row["open"] for row in totals}


def _assert_rows_equal_their_lists(report, client):
    for table in report.tables:
        for row in table.rows:
            listed = _open_on(client, row.link)
            if table.currency is not None and f"currency={table.currency}" in row.link:
                assert listed == {table.currency: row.values["total"]}, row
                for key in BUCKET_KEYS:
                    in_bucket = _open_on(client, f"{row.link}&bucket={key}")
                    assert in_bucket.get(table.currency, D(0)) == row.values[key], (row, key)


def test_each_bucket_and_total_equals_the_instalment_list_it_links_to(
        tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        for viewer in ("admin", "manager", "rep", "rep2"):
            report = receivables_aging_report(people[viewer], ON)
            assert report.tables, viewer
            _assert_rows_equal_their_lists(report, login(tenant_a, people[viewer]))


def test_the_figures_are_the_aging_report_per_currency(tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        report = receivables_aging_report(people["admin"], ON)
        tables = {table.key: table for table in report.tables}
        assert set(tables) == {"rep_eur", "rep_usd", "account_eur", "account_usd"}
        source = aging_report(viewer=people["admin"], as_of=AS_OF, group_by="account")
    usd = {row.values["account"]: row.values for row in tables["account_usd"].rows}
    assert usd["North Works"]["1_30"] == D("200.00")
    assert usd["North Works"]["31_60"] == D("300.00")
    assert usd["North Works"]["61_90"] == D("70.00")
    assert usd["South Works"]["90_plus"] == D("350.00")
    for aging_row in source.rows:
        values = {row.values["account"]: row.values
                  for row in tables[f"account_{aging_row.currency.lower()}"].rows}
        assert values[aging_row.label]["total"] == aging_row.total
    totals_usd = tables["rep_usd"].totals
    assert totals_usd["total"] == D("1480.00")  # every open USD amount
    assert tables["rep_usd"].chart is not None
    assert tables["rep_usd"].chart.stacked
    reps = [row.values["rep"] for row in tables["rep_usd"].rows]
    assert "No owner" in reps
    assert report.conversion is None


def test_with_rates_amounts_are_converted_with_the_rates_shown(tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        ExchangeRate.objects.create(currency="EUR", rate=D("1.5"), valid_from=date(2026, 1, 1))
        ExchangeRate.objects.create(currency="EUR", rate=D("9"), valid_from=date(2026, 7, 1))
        report = receivables_aging_report(people["admin"], ON)
    tables = {table.key: table for table in report.tables}
    assert set(tables) == {"rep", "account"}
    north = {row.values["account"]: row.values for row in tables["account"].rows}["North Works"]
    # USD 200 + 300 + 70 + 100 current; EUR (400 + 500) x 1.5 (the rate in force on AS_OF).
    assert north["61_90"] == D("70.00") + D("600.00")
    assert north["90_plus"] == D("750.00")
    assert north["total"] == D("670.00") + D("600.00") + D("750.00")
    assert tables["account"].totals["total"] == D("1480.00") + D("1350.00")
    assert report.conversion is not None
    assert report.conversion.rates == [("EUR", D("1.5"), date(2026, 1, 1))]


def test_visibility_and_the_rep_and_team_narrowing(tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        world = _world(people)

        def total(viewer, filters=ON):
            report = receivables_aging_report(people[viewer], filters)
            return {table.key: table.totals["total"] for table in report.tables
                    if table.key.startswith("rep_")}

        # rep: own orders and the ownerless one; rep2: own and the ownerless one.
        assert total("rep") == {"rep_usd": D("660.00"), "rep_eur": D("900.00")}
        assert total("rep2") == {"rep_usd": D("880.00")}
        assert total("manager") == total("rep")
        assert total("admin") == {"rep_usd": D("1480.00"), "rep_eur": D("900.00")}
        assert total("admin", ReportFilters(end=AS_OF, rep_id=people["rep2"].pk)) == {
            "rep_usd": D("820.00")}
        narrowed = receivables_aging_report(people["admin"], ReportFilters(
            end=AS_OF, team_id=world["team"].pk))
        assert {t.key: t.totals["total"] for t in narrowed.tables} == {
            "rep_usd": D("600.00"), "rep_eur": D("900.00"), "account_usd": D("600.00"),
            "account_eur": D("900.00")}
        assert all(f"team={world['team'].pk}" in row.link for table in narrowed.tables
                   if table.key.startswith("account") for row in table.rows)
        _assert_rows_equal_their_lists(narrowed, login(tenant_a, people["admin"]))
        by_rep = receivables_aging_report(people["admin"], ReportFilters(
            end=AS_OF, rep_id=people["rep2"].pk))
        _assert_rows_equal_their_lists(by_rep, login(tenant_a, people["admin"]))


def test_the_report_runs_in_a_fixed_number_of_queries(tenant_a, in_tenant, people):
    def queries_with(accounts):
        for index in range(accounts):
            account = make_account(name=f"Budget {accounts}-{index}", owner=people["rep"])
            order = make_order(account=account, actor=people["admin"], owner=people["rep"],
                               total="100", currency="USD" if index % 2 else "EUR")
            make_schedule(order=order, actor=people["admin"],
                          plan=[(AS_OF - timedelta(days=index * 7), "100")])
        user = User.objects.get(pk=people["rep"].pk)
        with CaptureQueriesContext(connection) as captured:
            report = receivables_aging_report(user, ON)
        rows = sum(len(table.rows) for table in report.tables if table.key.startswith("acc"))
        return len(captured), rows

    with in_tenant(tenant_a):
        few, small = queries_with(3)
        many, large = queries_with(27)
    assert (small, large) == (3, 30)
    assert few == many


def test_another_tenants_receivables_never_count(tenant_a, tenant_b, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
    with in_tenant(tenant_b):
        admin_b = User.objects.get(email="admin@beta.test")
        account = make_account(name="Beta debtor", owner=admin_b)
        order = make_order(account=account, actor=admin_b, owner=admin_b, total="42",
                           currency="USD")
        make_schedule(order=order, actor=admin_b, plan=[(AS_OF - timedelta(days=3), "42")])
        report = receivables_aging_report(admin_b, ON)
    assert [row.values["account"] for table in report.tables if table.key.startswith("acc")
            for row in table.rows] == ["Beta debtor"]
