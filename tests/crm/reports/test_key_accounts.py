"""Key-account ranking (RFM): each account's orders, order value and latest order equal the
order list its link opens (as the same viewer); the components and the value score follow
the documented rule; only orders in force and in the period count; one table per currency
without rates, one converted table with rates; visibility and narrowing; a fixed number of
queries; tenant isolation."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.orders.models import Order, OrderStatus
from crm.reports.definitions.key_accounts import (
    AccountOrders,
    key_accounts_report,
    rank_accounts,
    score_of,
    value_score,
)
from crm.reports.models import ExchangeRate
from crm.reports.types import ReportFilters
from tenants.users.models import User
from tests.crm.accounts.factories import make_account
from tests.crm.core.factories import make_team
from tests.crm.receivables.factories import make_order
from tests.crm.reports.follow import api_rows, fresh_users, login

D = Decimal
H1 = ReportFilters(start=date(2026, 1, 1), end=date(2026, 6, 30))


@pytest.fixture
def people(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        return fresh_users(tenant_a)


def _world(people):
    admin, rep, rep2, manager = (people[k] for k in ("admin", "rep", "rep2", "manager"))
    team = make_team("East", managers=[manager], members=[rep])
    accounts = {name: make_account(owner=owner, name=name, tier=tier) for name, owner, tier in (
        ("Xenon", rep, "key"), ("Yarrow", rep2, "b"), ("Zinc", rep, ""), ("Euro", rep2, "a"))}
    plan = [  # (account, owner, total, currency, ordered_on)
        ("Xenon", rep, "1000", "USD", date(2026, 2, 1)),
        ("Xenon", rep, "1000", "USD", date(2026, 4, 1)),
        ("Xenon", rep, "1000", "USD", date(2026, 6, 20)),
        ("Yarrow", rep2, "500", "USD", date(2026, 1, 10)),
        ("Zinc", rep, "400", "USD", date(2026, 3, 1)),
        ("Zinc", rep, "600", "USD", date(2026, 5, 1)),
        ("Euro", rep2, "800", "EUR", date(2026, 6, 1)),
        ("Xenon", rep, "200", "EUR", date(2026, 6, 25)),
        # Not counted: outside the period, or not in force.
        ("Yarrow", rep2, "9000", "USD", date(2025, 12, 31)),
        ("Zinc", rep, "9000", "USD", date(2026, 7, 1)),
    ]
    for name, owner, total, currency, ordered_on in plan:
        make_order(account=accounts[name], actor=admin, owner=owner, total=total,
                   currency=currency, ordered_on=ordered_on)
    draft = make_order(account=accounts["Yarrow"], actor=admin, owner=rep2, total="7000",
                       currency="USD", ordered_on=date(2026, 3, 3), approved=False)
    cancelled = make_order(account=accounts["Yarrow"], actor=admin, owner=rep2, total="7000",
                           currency="USD", ordered_on=date(2026, 3, 3))
    Order.objects.filter(pk=cancelled.pk).update(status=OrderStatus.CANCELLED)
    assert draft.status == OrderStatus.DRAFT
    return {"team": team, "accounts": accounts}


def _tables(report):
    return {table.key: table for table in report.tables}


def _rows(table):
    return {row.values["account"]: row.values for row in table.rows}


def _assert_rows_equal_their_lists(report, client):
    for table in report.tables:
        for row in table.rows:
            orders = api_rows(client, row.link)
            assert len(orders) == row.values["orders"], row
            assert max(date.fromisoformat(o["ordered_on"]) for o in orders) == \
                row.values["last_order"]
            if table.currency and all(o["currency"] == table.currency for o in orders):
                assert sum(D(o["total"]) for o in orders) == row.values["value"], row


def test_each_account_equals_the_order_list_it_links_to(tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        for viewer in ("admin", "manager", "rep", "rep2", "readonly"):
            report = key_accounts_report(people[viewer], H1)
            _assert_rows_equal_their_lists(report, login(tenant_a, people[viewer]))


def test_scores_follow_recency_frequency_and_value_per_currency(tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        report = key_accounts_report(people["admin"], H1)
    tables = _tables(report)
    assert set(tables) == {"accounts_usd", "accounts_eur"}
    usd = tables["accounts_usd"]
    assert [row.values["account"] for row in usd.rows] == ["Xenon", "Zinc", "Yarrow"]
    xenon, zinc, yarrow = (_rows(usd)[name] for name in ("Xenon", "Zinc", "Yarrow"))
    assert (xenon["orders"], xenon["value"], xenon["last_order"]) == (
        3, D("3000.00"), date(2026, 6, 20))
    assert xenon["recency_days"] == 10
    assert xenon["tier"] == "Key account"
    assert (xenon["r"], xenon["f"], xenon["m"], xenon["score"]) == (5, 5, 5, 100)
    assert (zinc["r"], zinc["f"], zinc["m"], zinc["score"]) == (3, 3, 3, 50)
    assert (yarrow["r"], yarrow["f"], yarrow["m"], yarrow["score"]) == (1, 1, 1, 0)
    eur = _rows(tables["accounts_eur"])
    assert set(eur) == {"Euro", "Xenon"}
    assert eur["Euro"]["value"] == D("800.00")
    assert tables["accounts_eur"].currency == "EUR"
    assert report.conversion is None


def test_with_rates_orders_are_converted_and_ranked_in_one_table(tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        ExchangeRate.objects.create(currency="EUR", rate=D("2"), valid_from=date(2026, 1, 1))
        report = key_accounts_report(people["admin"], H1)
    (table,) = report.tables
    assert table.currency == "USD"
    rows = _rows(table)
    assert rows["Xenon"]["value"] == D("3400.00")  # 3000 USD + 200 EUR x 2
    assert rows["Xenon"]["orders"] == 4
    assert rows["Xenon"]["last_order"] == date(2026, 6, 25)
    assert rows["Euro"]["value"] == D("1600.00")
    assert report.conversion is not None
    assert report.conversion.rates == [("EUR", D("2"), date(2026, 1, 1))]


def test_a_rep_ranks_their_own_orders_a_manager_their_teams(tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        world = _world(people)
        names = {viewer: {row.values["account"] for table in
                          key_accounts_report(people[viewer], H1).tables for row in table.rows}
                 for viewer in ("admin", "manager", "rep", "rep2")}
        assert names == {"admin": {"Xenon", "Yarrow", "Zinc", "Euro"},
                         "manager": {"Xenon", "Zinc"}, "rep": {"Xenon", "Zinc"},
                         "rep2": {"Yarrow", "Euro"}}
        narrowed = key_accounts_report(people["admin"], ReportFilters(
            start=H1.start, end=H1.end, team_id=world["team"].pk))
        assert {row.values["account"] for table in narrowed.tables
                for row in table.rows} == {"Xenon", "Zinc"}
        assert all(f"team={world['team'].pk}" in row.link
                   for table in narrowed.tables for row in table.rows)
        _assert_rows_equal_their_lists(narrowed, login(tenant_a, people["admin"]))
        by_rep = key_accounts_report(people["admin"], ReportFilters(
            start=H1.start, end=H1.end, rep_id=people["rep2"].pk))
        assert {row.values["account"] for table in by_rep.tables
                for row in table.rows} == {"Yarrow", "Euro"}


def test_score_components_tie_alike_and_a_lone_account_scores_top():
    assert score_of(5, [5]) == 5
    assert [score_of(v, [1, 2, 2, 3]) for v in (1, 2, 3)] == [1, 2, 5]
    assert score_of(10, [10, 20, 30], higher_is_better=False) == 5
    assert value_score(1, 1, 1) == 0
    assert value_score(5, 5, 5) == 100
    assert value_score(4, 3, 2) == 50
    rows = [AccountOrders(account_id=i, name=f"A{i}", tier="", last_order=date(2026, 6, i),
                          orders=1, value=D(100)) for i in (1, 2)]
    ranked = rank_accounts(rows, end=date(2026, 6, 30))
    assert [item.row.name for item in ranked] == ["A2", "A1"]  # more recent first


def test_the_report_runs_in_a_fixed_number_of_queries(tenant_a, in_tenant, people):
    def queries_with(accounts):
        for index in range(accounts):
            account = make_account(owner=people["rep"], name=f"Budget {accounts}-{index}")
            make_order(account=account, actor=people["admin"], owner=people["rep"],
                       total=str(100 + index), currency="USD" if index % 2 else "EUR",
                       ordered_on=date(2026, 3, 1) + timedelta(days=index))
        user = User.objects.get(pk=people["rep"].pk)
        with CaptureQueriesContext(connection) as captured:
            report = key_accounts_report(user, H1)
        return len(captured), sum(len(table.rows) for table in report.tables)

    with in_tenant(tenant_a):
        few, small = queries_with(3)
        many, large = queries_with(27)
    assert (small, large) == (3, 30)  # 16 EUR and 14 USD accounts, each under the top 20
    assert few == many


def test_another_tenants_orders_never_count(tenant_a, tenant_b, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
    with in_tenant(tenant_b):
        admin_b = User.objects.get(email="admin@beta.test")
        account = make_account(owner=admin_b, name="Beta buyer")
        make_order(account=account, actor=admin_b, owner=admin_b, total="50", currency="USD",
                   ordered_on=date(2026, 2, 2))
        report = key_accounts_report(admin_b, H1)
    assert [row.values["account"] for table in report.tables for row in table.rows] == [
        "Beta buyer"]
