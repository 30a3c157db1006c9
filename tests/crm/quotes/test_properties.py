"""Hypothesis properties of stored quote totals: total = Σ rounded lines + Σ rounded taxes,
never negative, independent of line order; a revision leaves the earlier one unchanged."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.core.money import round_money
from crm.quotes.models import Quote, QuoteStatus
from crm.quotes.services import quote_submit, quote_update
from tests.crm.quotes.factories import line, make_quote

D = Decimal
quantities = st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False)
prices = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)
taxes = st.decimals(min_value=0, max_value=30, places=1, allow_nan=False)
free_lines = st.lists(st.tuples(quantities, prices, percents, taxes), min_size=1, max_size=6)
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _inputs(rows):
    return [line(description=f"Item {i}", quantity=q, unit_price=p, discount_percent=d,
                 tax_rate=t) for i, (q, p, d, t) in enumerate(rows)]


@SETTINGS
@given(rows=free_lines, quote_discount=percents)
def test_stored_totals_are_the_sum_of_rounded_lines_never_negative_any_order(
        world, rows, quote_discount):
    quote = make_quote(world, lines=_inputs(rows), discount_percent=quote_discount)
    lines = list(quote.lines.all())
    assert all(ln.line_net == round_money(ln.line_net, "CNY") for ln in lines)
    assert all(ln.line_tax == round_money(ln.line_tax, "CNY") for ln in lines)
    assert quote.subtotal == sum((ln.line_net for ln in lines), D(0))
    assert quote.tax_total == sum((ln.line_tax for ln in lines), D(0))
    assert quote.total == quote.subtotal + quote.tax_total
    assert min([quote.total, *(ln.line_net for ln in lines)]) >= 0
    reversed_quote = make_quote(world, lines=_inputs(list(reversed(rows))),
                                discount_percent=quote_discount)
    assert (reversed_quote.subtotal, reversed_quote.tax_total, reversed_quote.total) == (
        quote.subtotal, quote.tax_total, quote.total)


@SETTINGS
@given(first=free_lines, second=free_lines)
def test_a_revision_leaves_the_earlier_revision_exactly_as_it_was(world, first, second):
    quote = quote_submit(quote=make_quote(world, lines=_inputs(first)), actor=world["admin"])

    def snapshot(q):
        fresh = Quote.objects.get(pk=q.pk)
        return ((fresh.subtotal, fresh.tax_total, fresh.total, fresh.discount_percent),
                [(ln.position, ln.description, ln.quantity, ln.unit_price, ln.discount_percent,
                  ln.tax_rate, ln.line_net, ln.line_tax) for ln in fresh.lines.all()])

    before = snapshot(quote)
    new = quote_update(quote=quote, actor=world["admin"], lines=_inputs(second),
                       discount_percent=D(3))
    assert new.pk != quote.pk
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.SUPERSEDED
    assert snapshot(quote) == before
