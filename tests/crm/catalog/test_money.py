# ruff: noqa: RUF003  (the arithmetic in comments uses the multiplication sign)
"""The totals rule (crm.core.money): exact, per-line rounding, document discount spread,
refusals naming the field, and properties checked with Hypothesis."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.core.money import (
    TotalsLine,
    document_totals,
    line_totals,
    minor_unit,
    round_money,
)

D = Decimal


@pytest.mark.parametrize(("currency", "digits"), [
    ("USD", 2), ("CNY", 2), ("EUR", 2), ("JPY", 0), ("KRW", 0), ("BHD", 3), ("KWD", 3),
    ("usd", 2),
])
def test_minor_unit_follows_the_currency(currency, digits):
    assert minor_unit(currency) == digits


def test_an_unknown_currency_is_refused():
    with pytest.raises(ValueError, match="Unknown currency"):
        minor_unit("ZZZ")


def test_round_money_is_half_up_to_the_minor_unit():
    assert round_money(D("2.345"), "USD") == D("2.35")
    assert round_money(D("2.344"), "USD") == D("2.34")
    assert round_money(D("-2.345"), "USD") == D("-2.35")
    assert round_money(D("1234.5"), "JPY") == D("1235")
    assert round_money(D("1.0005"), "BHD") == D("1.001")
    assert str(round_money(D("1234.5"), "USD")) == "1234.50"


def test_line_totals_round_the_net_then_the_tax():
    line = line_totals(quantity=D(3), unit_price=D("33.335"), discount_percent=D(10),
                       tax_rate=D(13), currency="CNY")
    # 3 × 33.335 × 0.9 = 90.0045 → 90.00; 90.00 × 13 % = 11.70
    assert line.line_net == D("90.00")
    assert line.line_tax == D("11.70")


def test_document_totals_sum_the_rounded_lines():
    totals = document_totals([
        {"quantity": D(1), "unit_price": D("0.005"), "tax_rate": D(0)},
        {"quantity": D(1), "unit_price": D("0.005"), "tax_rate": D(0)},
    ], currency="USD")
    # each line rounds to 0.01 on its own: 0.02, not round(0.01) of the sum
    assert totals.subtotal == D("0.02")
    assert totals.total == D("0.02")


def test_jpy_totals_have_no_decimals():
    totals = document_totals([TotalsLine(quantity=D(3), unit_price=D("333.5"),
                                         tax_rate=D(10))], currency="JPY")
    assert totals.subtotal == D("1001")  # 1000.5 rounds half up
    assert totals.tax_total == D("100")
    assert totals.total.as_tuple().exponent == 0


def test_a_document_discount_is_spread_before_tax_with_exact_sums():
    lines = [TotalsLine(quantity=D(1), unit_price=D("10.00"), tax_rate=D(0)),
             TotalsLine(quantity=D(1), unit_price=D("10.00"), tax_rate=D(20)),
             TotalsLine(quantity=D(1), unit_price=D("10.00"), tax_rate=D(10))]
    totals = document_totals(lines, currency="USD", document_discount_percent=D("0.1"))
    # D = round(30.00 × 0.1 %) = 0.03, one cent per line
    assert totals.document_discount == D("0.03")
    assert [line.line_net for line in totals.lines] == [D("9.99")] * 3
    assert totals.subtotal == D("29.97")
    assert totals.tax_total == D("2.00") + D("1.00")  # 9.99 × 20 % = 2.00, × 10 % = 1.00


def test_the_leftover_cent_goes_to_the_largest_remainder():
    lines = [TotalsLine(quantity=D(1), unit_price=D("1.00")),
             TotalsLine(quantity=D(1), unit_price=D("2.00"))]
    totals = document_totals(lines, currency="USD", document_discount_percent=D(50))
    # D = 1.50: shares 0.50 and 1.00 exactly
    assert [line.document_discount for line in totals.lines] == [D("0.50"), D("1.00")]
    lines = [TotalsLine(quantity=D(1), unit_price=D("0.01"))] * 3
    totals = document_totals(lines, currency="USD", document_discount_percent=D(50))
    # D = round(0.015) = 0.02 over three equal lines: two lines give a cent
    assert sum(line.document_discount for line in totals.lines) == D("0.02")
    assert totals.subtotal == D("0.01")


@pytest.mark.parametrize(("field", "values"), [
    ("quantity", {"quantity": D(-1)}),
    ("discount_percent", {"discount_percent": D("100.01")}),
    ("discount_percent", {"discount_percent": D("-0.5")}),
    ("unit_price", {"unit_price": D("-1")}),
    ("tax_rate", {"tax_rate": D("-1")}),
    ("quantity", {"quantity": 1.5}),  # floats are not exact
    ("unit_price", {"unit_price": "abc"}),
    ("quantity", {"quantity": "NaN"}),
])
def test_bad_line_values_are_refused_naming_the_field(field, values):
    arguments = {"quantity": D(1), "unit_price": D(1), "discount_percent": D(0),
                 "tax_rate": D(0), **values}
    with pytest.raises(ValidationError) as caught:
        line_totals(currency="USD", **arguments)
    assert field in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        document_totals([arguments], currency="USD")
    assert field in caught.value.message_dict


def test_a_document_discount_outside_0_to_100_is_refused():
    for bad in (D(-1), D("100.5")):
        with pytest.raises(ValidationError) as caught:
            document_totals([], currency="USD", document_discount_percent=bad)
        assert "document_discount_percent" in caught.value.message_dict


def test_a_full_discount_makes_zero():
    totals = line_totals(quantity=D(5), unit_price=D("19.99"), discount_percent=D(100),
                         tax_rate=D(13), currency="USD")
    assert totals.line_net == D(0)
    assert totals.line_tax == D(0)


# --- properties -----------------------------------------------------------------------

CURRENCIES = st.sampled_from(["USD", "CNY", "EUR", "JPY", "KRW", "BHD"])
amounts = st.decimals(min_value=0, max_value=10**7, places=4, allow_nan=False,
                      allow_infinity=False)
quantities = st.decimals(min_value=0, max_value=10**4, places=3, allow_nan=False,
                         allow_infinity=False)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False,
                       allow_infinity=False)
tax_rates = st.sampled_from([D(0), D(6), D(9), D(13), D("19"), D("20"), D("7.5")])
line_inputs = st.builds(TotalsLine, quantity=quantities, unit_price=amounts,
                        discount_percent=percents, tax_rate=tax_rates)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(line_inputs, max_size=25), currency=CURRENCIES,
       document_discount=percents)
def test_total_is_the_sum_of_rounded_lines_and_rounded_taxes(lines, currency,
                                                             document_discount):
    totals = document_totals(lines, currency=currency,
                             document_discount_percent=document_discount)
    step = D(1).scaleb(-minor_unit(currency))
    assert totals.subtotal == sum((line.line_net for line in totals.lines), D(0))
    assert totals.tax_total == sum((line.line_tax for line in totals.lines), D(0))
    assert totals.total == totals.subtotal + totals.tax_total
    for line, given_line in zip(totals.lines, lines, strict=True):
        assert line.line_net == line.line_net.quantize(step)
        assert line.line_tax == round_money(line.line_net * given_line.tax_rate / 100,
                                            currency)
    undiscounted = sum((line_totals(quantity=li.quantity, unit_price=li.unit_price,
                                    discount_percent=li.discount_percent,
                                    tax_rate=li.tax_rate, currency=currency).line_net
                        for li in lines), D(0))
    assert totals.subtotal == undiscounted - totals.document_discount


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(line_inputs, max_size=25), currency=CURRENCIES,
       document_discount=percents)
def test_totals_are_never_negative(lines, currency, document_discount):
    totals = document_totals(lines, currency=currency,
                             document_discount_percent=document_discount)
    assert totals.total >= 0
    assert all(line.line_net >= 0 and line.line_tax >= 0 for line in totals.lines)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(line_inputs, min_size=1, max_size=15), currency=CURRENCIES,
       document_discount=percents, data=st.data())
def test_totals_do_not_depend_on_line_order(lines, currency, document_discount, data):
    shuffled = data.draw(st.permutations(lines))
    first = document_totals(lines, currency=currency,
                            document_discount_percent=document_discount)
    second = document_totals(shuffled, currency=currency,
                             document_discount_percent=document_discount)
    assert (first.subtotal, first.tax_total, first.total) == (
        second.subtotal, second.tax_total, second.total)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(line_inputs, max_size=15), currency=st.sampled_from(["JPY", "KRW"]),
       document_discount=percents)
def test_zero_decimal_currencies_have_no_decimals(lines, currency, document_discount):
    totals = document_totals(lines, currency=currency,
                             document_discount_percent=document_discount)
    for amount in (totals.subtotal, totals.tax_total, totals.total,
                   *(line.line_net for line in totals.lines)):
        assert amount == amount.to_integral_value()
        assert amount.as_tuple().exponent >= 0
