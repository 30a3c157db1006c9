"""Payment schedules add up to the order total exactly; payments, partial ones included,
go against an instalment or oldest-first, and never more than is owed; the event."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from crm.core import events
from crm.receivables.models import PaymentAllocation
from crm.receivables.selectors import account_balances, order_balance
from crm.receivables.services import (
    InstalmentInput,
    payment_record,
    schedule_set,
    schedule_split,
    split_amount,
)
from tests.crm.accounts.factories import make_account
from tests.crm.receivables.factories import make_order, make_schedule

D = Decimal


@pytest.fixture
def world(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        account = make_account(name="Receivables Test Ltd", owner=rep)
        order = make_order(account=account, actor=tenant_a.users["admin"], total="1000.00",
                           owner=rep)
        yield {"admin": tenant_a.users["admin"], "rep": rep, "account": account,
               "order": order}


def test_split_puts_the_remainder_on_the_last_instalment():
    assert split_amount(total=D("100.00"), count=3, currency="CNY") == [
        D("33.33"), D("33.33"), D("33.34")]
    assert split_amount(total=D("100"), count=3, currency="JPY") == [D(33), D(33), D(34)]
    # Rounded half up: 200/3 = 66.666... -> 66.67, the last takes what is left.
    assert split_amount(total=D("200.00"), count=3, currency="USD") == [
        D("66.67"), D("66.67"), D("66.66")]


def test_split_never_leaves_a_negative_last_instalment():
    parts = split_amount(total=D("0.10"), count=12, currency="CNY")
    assert sum(parts) == D("0.10")
    assert min(parts) >= 0


@given(total=st.decimals(min_value=0, max_value=10**9, places=2),
       count=st.integers(min_value=1, max_value=120))
def test_split_always_adds_up_exactly(total, count):
    parts = split_amount(total=total, count=count, currency="CNY")
    assert len(parts) == count
    assert sum(parts) == total
    assert all(part >= 0 and part == part.quantize(D("0.01")) for part in parts)


def test_a_schedule_must_add_up_to_the_order_total(world):
    with pytest.raises(ValidationError) as error:
        make_schedule(order=world["order"], actor=world["admin"],
                      plan=[(date(2026, 3, 1), "500.00"), (date(2026, 4, 1), "499.99")])
    assert "instalments" in error.value.message_dict
    saved = make_schedule(order=world["order"], actor=world["admin"],
                          plan=[(date(2026, 3, 1), "500.00"), (date(2026, 4, 1), "500.00")])
    assert [i.amount for i in saved] == [D("500.00"), D("500.00")]


def test_split_schedule_is_monthly_and_exact(world):
    items = schedule_split(order=world["order"], count=3, first_due_on=date(2026, 1, 31))
    assert [i.due_on for i in items] == [date(2026, 1, 31), date(2026, 2, 28),
                                         date(2026, 3, 31)]
    saved = schedule_set(order=world["order"], instalments=items, actor=world["rep"])
    assert sum(i.amount for i in saved) == world["order"].total


def test_sub_minor_unit_instalments_are_refused(world):
    with pytest.raises(ValidationError) as error:
        make_schedule(order=world["order"], actor=world["admin"],
                      plan=[(date(2026, 3, 1), "999.995"), (date(2026, 4, 1), "0.005")])
    assert "amount" in error.value.message_dict


def test_partial_payments_against_an_instalment(world):
    first, _second = make_schedule(order=world["order"], actor=world["admin"], plan=[
        (date(2026, 3, 1), "600.00"), (date(2026, 4, 1), "400.00")])
    payment_record(order=world["order"], instalment=first, amount=D("250.00"),
                   paid_on=date(2026, 3, 2), actor=world["admin"])
    payment_record(order=world["order"], instalment=first, amount=D("100.00"),
                   paid_on=date(2026, 3, 5), actor=world["admin"])
    first.refresh_from_db()
    assert first.paid_amount == D("350.00")
    balance = order_balance(order=world["order"], as_of=date(2026, 3, 10))
    assert (balance.paid, balance.outstanding, balance.overdue) == (
        D("350.00"), D("650.00"), D("250.00"))


def test_over_payment_of_an_instalment_is_refused(world):
    first, _second = make_schedule(order=world["order"], actor=world["admin"], plan=[
        (date(2026, 3, 1), "600.00"), (date(2026, 4, 1), "400.00")])
    payment_record(order=world["order"], instalment=first, amount=D("500.00"),
                   paid_on=date(2026, 3, 2), actor=world["admin"])
    with pytest.raises(ValidationError) as error:
        payment_record(order=world["order"], instalment=first, amount=D("100.01"),
                       paid_on=date(2026, 3, 2), actor=world["admin"])
    assert "amount" in error.value.message_dict
    first.refresh_from_db()
    assert first.paid_amount == D("500.00")


def test_a_payment_without_instalment_goes_oldest_first_and_never_over(world):
    first, second, third = make_schedule(order=world["order"], actor=world["admin"], plan=[
        (date(2026, 5, 1), "300.00"), (date(2026, 3, 1), "300.00"),
        (date(2026, 4, 1), "400.00")])
    payment = payment_record(order=world["order"], amount=D("450.00"),
                             paid_on=date(2026, 4, 2), actor=world["admin"])
    allocations = {a.instalment_id: a.amount for a in
                   PaymentAllocation.objects.filter(payment=payment)}
    # Oldest due first: 1 March (300), then 1 April (150 of 400).
    assert allocations == {first.pk: D("300.00"), second.pk: D("150.00")}
    with pytest.raises(ValidationError) as error:
        payment_record(order=world["order"], amount=D("550.01"), paid_on=date(2026, 4, 2),
                       actor=world["admin"])
    assert "amount" in error.value.message_dict
    payment_record(order=world["order"], amount=D("550.00"), paid_on=date(2026, 4, 3),
                   actor=world["admin"])
    assert order_balance(order=world["order"]).outstanding == 0
    del third


def test_payments_need_finance_an_approved_order_and_a_past_date(world, tenant_a):
    make_schedule(order=world["order"], actor=world["admin"],
                  plan=[(date(2026, 3, 1), "1000.00")])
    with pytest.raises(PermissionDenied):
        payment_record(order=world["order"], amount=D(10), paid_on=date(2026, 3, 1),
                       actor=world["rep"])
    with pytest.raises(ValidationError) as error:
        payment_record(order=world["order"], amount=D(10), paid_on=date(2999, 1, 1),
                       actor=world["admin"])
    assert "paid_on" in error.value.message_dict
    draft = make_order(account=world["account"], actor=world["admin"], approved=False)
    make_schedule(order=draft, actor=world["admin"], plan=[(date(2026, 3, 1), "1000.00")])
    with pytest.raises(ValidationError):
        payment_record(order=draft, amount=D(10), paid_on=date(2026, 3, 1),
                       actor=world["admin"])
    for bad in (D(0), D("-5"), D("0.001"), "abc"):
        with pytest.raises(ValidationError):
            payment_record(order=world["order"], amount=bad, paid_on=date(2026, 3, 1),
                           actor=world["admin"])


def test_instalments_with_payments_are_kept_when_the_schedule_changes(world):
    first, second = make_schedule(order=world["order"], actor=world["admin"], plan=[
        (date(2026, 3, 1), "600.00"), (date(2026, 4, 1), "400.00")])
    payment_record(order=world["order"], instalment=first, amount=D("500.00"),
                   paid_on=date(2026, 3, 2), actor=world["admin"])
    with pytest.raises(ValidationError):  # drops the paid instalment
        schedule_set(order=world["order"], actor=world["admin"], instalments=[
            InstalmentInput(due_on=date(2026, 5, 1), amount=D("1000.00"))])
    with pytest.raises(ValidationError):  # below what was paid on it
        schedule_set(order=world["order"], actor=world["admin"], instalments=[
            InstalmentInput(id=first.pk, due_on=date(2026, 3, 1), amount=D("400.00")),
            InstalmentInput(due_on=date(2026, 5, 1), amount=D("600.00"))])
    saved = schedule_set(order=world["order"], actor=world["admin"], instalments=[
        InstalmentInput(id=first.pk, due_on=date(2026, 3, 1), amount=D("500.00")),
        InstalmentInput(due_on=date(2026, 5, 1), amount=D("250.00")),
        InstalmentInput(due_on=date(2026, 6, 1), amount=D("250.00"))])
    assert [i.paid_amount for i in saved] == [D("500.00"), D(0), D(0)]
    assert second.pk not in {i.pk for i in saved}


def test_payment_recorded_is_emitted_after_commit(world, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    seen = []
    monkeypatch.setattr(events, "dispatch", seen.append)
    (only,) = make_schedule(order=world["order"], actor=world["admin"],
                            plan=[(date(2026, 3, 1), "1000.00")])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        payment = payment_record(order=world["order"], amount=D("123.45"),
                                 paid_on=date(2026, 3, 2), actor=world["admin"])
    assert seen == []  # nothing before commit
    for callback in callbacks:
        callback()
    (event,) = [e for e in seen if e.type == "payment.recorded"]
    assert event.data["payment"] == payment.pk
    assert event.data["amount"] == "123.45"
    assert event.data["outstanding"] == "876.55"
    assert event.data["instalments"] == [only.pk]


def test_balances_per_account(world):
    make_schedule(order=world["order"], actor=world["admin"], plan=[
        (date(2026, 3, 1), "600.00"), (date(2026, 9, 1), "400.00")])
    payment_record(order=world["order"], amount=D("100.00"), paid_on=date(2026, 3, 2),
                   actor=world["admin"])
    (row,) = account_balances(viewer=world["rep"], account_ids=[world["account"].pk],
                              as_of=date(2026, 4, 1))
    assert (row.total, row.paid, row.outstanding, row.overdue) == (
        D("1000.00"), D("100.00"), D("900.00"), D("500.00"))
