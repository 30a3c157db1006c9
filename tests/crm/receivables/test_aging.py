"""Aging with time travel: every bucket boundary (0, 1, 30, 31, 60, 61, 90, 91 days
overdue), as of a date in the tenant's time zone, by rep and by account; payments after
the as-of date do not count; each figure equals the instalments behind it."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from crm.receivables.selectors import (
    AgingFilters,
    Bucket,
    aging_instalments,
    aging_report,
    bucket_for,
    tenant_today,
)
from crm.receivables.services import payment_record
from tests.crm.accounts.factories import make_account
from tests.crm.receivables.factories import make_order, make_schedule

D = Decimal
AS_OF = date(2026, 6, 30)


@pytest.mark.parametrize(("days", "bucket"), [
    (-5, Bucket.CURRENT), (0, Bucket.CURRENT), (1, Bucket.DAYS_1_30),
    (30, Bucket.DAYS_1_30), (31, Bucket.DAYS_31_60), (60, Bucket.DAYS_31_60),
    (61, Bucket.DAYS_61_90), (90, Bucket.DAYS_61_90), (91, Bucket.OVER_90),
    (400, Bucket.OVER_90),
])
def test_bucket_boundaries(days, bucket):
    assert bucket_for(days) == bucket


@pytest.fixture
def aged(tenant_a, in_tenant):
    """One order per boundary day (0, 1, 30, 31, 60, 61, 90, 91 days overdue on AS_OF),
    each instalment of 100 + days, for rep (even days) and rep2 (odd days)."""
    with in_tenant(tenant_a):
        admin, rep, rep2 = (tenant_a.users[k] for k in ("admin", "rep", "rep2"))
        mine = make_account(name="Aging Mine Ltd", owner=rep)
        theirs = make_account(name="Aging Theirs Ltd", owner=rep2)
        orders = {}
        for days in (0, 1, 30, 31, 60, 61, 90, 91):
            owner, account = (rep, mine) if days % 2 == 0 else (rep2, theirs)
            order = make_order(account=account, actor=admin, owner=owner,
                               total=f"{100 + days}.00")
            make_schedule(order=order, actor=admin,
                          plan=[(AS_OF - timedelta(days=days), f"{100 + days}.00")])
            orders[days] = order
        yield {"admin": admin, "rep": rep, "rep2": rep2, "mine": mine, "theirs": theirs,
               "orders": orders}


def test_each_boundary_lands_in_its_bucket(aged):
    rows = {i.order_id: i.bucket for i in aging_instalments(
        viewer=aged["admin"], filters=AgingFilters(as_of=AS_OF))}
    expected = {0: Bucket.CURRENT, 1: Bucket.DAYS_1_30, 30: Bucket.DAYS_1_30,
                31: Bucket.DAYS_31_60, 60: Bucket.DAYS_31_60, 61: Bucket.DAYS_61_90,
                90: Bucket.DAYS_61_90, 91: Bucket.OVER_90}
    assert {days: rows[order.pk] for days, order in aged["orders"].items()} == expected


def test_time_travel_moves_an_instalment_through_the_buckets(aged):
    order = aged["orders"][0]  # due on AS_OF
    def bucket_on(day):
        (row,) = [i for i in aging_instalments(viewer=aged["admin"],
                                               filters=AgingFilters(as_of=day))
                  if i.order_id == order.pk]
        return row.bucket
    assert [bucket_on(AS_OF + timedelta(days=d)) for d in (0, 1, 30, 31, 60, 61, 90, 91)] == [
        Bucket.CURRENT, Bucket.DAYS_1_30, Bucket.DAYS_1_30, Bucket.DAYS_31_60,
        Bucket.DAYS_31_60, Bucket.DAYS_61_90, Bucket.DAYS_61_90, Bucket.OVER_90]


def test_report_by_rep_and_by_account(aged):
    by_rep = aging_report(viewer=aged["admin"], as_of=AS_OF, group_by="rep")
    rows = {row.key: row for row in by_rep.rows}
    rep_row, rep2_row = rows[aged["rep"].pk], rows[aged["rep2"].pk]
    assert rep_row.buckets == {Bucket.CURRENT: D(100), Bucket.DAYS_1_30: D(130),
                               Bucket.DAYS_31_60: D(160), Bucket.DAYS_61_90: D(190)}
    assert rep2_row.buckets == {Bucket.DAYS_1_30: D(101), Bucket.DAYS_31_60: D(131),
                                Bucket.DAYS_61_90: D(161), Bucket.OVER_90: D(191)}
    (total,) = by_rep.totals
    assert total.total == sum(100 + d for d in (0, 1, 30, 31, 60, 61, 90, 91))
    by_account = aging_report(viewer=aged["admin"], as_of=AS_OF, group_by="account")
    accounts = {row.key: row.total for row in by_account.rows}
    assert accounts == {aged["mine"].pk: D(580), aged["theirs"].pk: D(584)}


def test_every_figure_equals_the_instalments_behind_it(aged):
    report = aging_report(viewer=aged["admin"], as_of=AS_OF, group_by="rep")
    for row in report.rows:
        for bucket, amount in row.cells():
            listed = aging_instalments(viewer=aged["admin"], filters=AgingFilters(
                as_of=AS_OF, bucket=bucket, rep=row.key, currency=row.currency))
            total = listed.order_by().aggregate(s=Sum("outstanding"))["s"] or D(0)
            assert total == amount, (row.label, bucket)


def test_payments_after_the_as_of_date_do_not_count(aged):
    order = aged["orders"][31]
    instalment = order.instalments.get()
    payment_record(order=order, instalment=instalment, amount=D("31.00"),
                   paid_on=AS_OF, actor=aged["admin"])
    payment_record(order=order, instalment=instalment, amount=D("100.00"),
                   paid_on=AS_OF + timedelta(days=1), actor=aged["admin"])
    def open_on(day):
        return {i.order_id: i.outstanding for i in aging_instalments(
            viewer=aged["admin"], filters=AgingFilters(as_of=day))}
    assert open_on(AS_OF - timedelta(days=1))[order.pk] == D("131.00")
    assert open_on(AS_OF)[order.pk] == D("100.00")
    assert order.pk not in open_on(AS_OF + timedelta(days=1))  # paid in full


def test_a_rep_sees_only_their_own_receivables(aged):
    report = aging_report(viewer=aged["rep"], as_of=AS_OF, group_by="rep")
    assert {row.key for row in report.rows} == {aged["rep"].pk}
    assert report.totals[0].total == D(580)


def test_today_is_the_tenants_local_date(aged, monkeypatch):
    # 23:30 UTC on 30 June is already 1 July in Shanghai (UTC+8).
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    monkeypatch.setattr(connection.tenant, "time_zone", "Asia/Shanghai")
    assert tenant_today(late) == date(2026, 7, 1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: late)
    rows = {i.order_id: i.bucket for i in aging_instalments(
        viewer=aged["admin"], filters=AgingFilters(as_of=tenant_today()))}
    assert rows[aged["orders"][0].pk] == Bucket.DAYS_1_30  # due 30 June, 1 day overdue
    monkeypatch.setattr(connection.tenant, "time_zone", "America/Los_Angeles")
    assert aging_report(viewer=aged["admin"]).as_of == date(2026, 6, 30)


def test_draft_orders_are_not_receivables(aged, tenant_a):
    draft = make_order(account=aged["mine"], actor=aged["admin"], approved=False,
                       total="77.00")
    make_schedule(order=draft, actor=aged["admin"], plan=[(AS_OF, "77.00")])
    ids = {i.order_id for i in aging_instalments(viewer=aged["admin"],
                                                 filters=AgingFilters(as_of=AS_OF))}
    assert draft.pk not in ids
