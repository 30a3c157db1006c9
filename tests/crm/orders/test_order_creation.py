"""The one way an order comes to exist: totals by the one rule, numbers per tenant, and an
order from an accepted quote that equals the quote to the minor unit (idempotently)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crm.core.money import document_totals
from crm.orders.models import OrderKind
from crm.orders.services import OrderLineInput, order_create, order_from_quote
from crm.quotes.models import Quote, QuoteLine, QuoteStatus
from tests.crm.accounts.factories import make_account, make_contact
from tests.crm.catalog.factories import make_product

D = Decimal


@pytest.fixture
def world(tenant_a, in_tenant):
    admin = tenant_a.users["admin"]
    with in_tenant(tenant_a):
        account = make_account(name="Orders Test Ltd", owner=tenant_a.users["rep"])
        product = make_product(actor=admin, list_price=D("19.99"), tax_rate=D(13))
        yield {"admin": admin, "rep": tenant_a.users["rep"], "account": account,
               "product": product}


def test_an_order_has_exact_totals_and_a_number(world):
    lines = [OrderLineInput(product=world["product"], quantity=D(3), unit_price=D("19.99"),
                            discount_percent=D("7.5"), tax_rate=D(13)),
             OrderLineInput(description="Installation", quantity=D(1), unit_price=D("250"))]
    order = order_create(account=world["account"], actor=world["admin"], currency="cny",
                         lines=lines, discount_percent=D(5))
    expected = document_totals(lines, currency="CNY", document_discount_percent=D(5))
    assert (order.subtotal, order.tax_total, order.total) == (
        expected.subtotal, expected.tax_total, expected.total)
    assert [(line.line_net, line.line_tax) for line in order.lines.all()] == [
        (r.line_net, r.line_tax) for r in expected.lines]
    assert order.number.startswith("SO-")
    assert order.owner == world["rep"]
    second = order_create(account=world["account"], actor=world["admin"], currency="CNY",
                          lines=lines[:1])
    assert int(second.number.rsplit("-", 1)[1]) == int(order.number.rsplit("-", 1)[1]) + 1


@pytest.mark.parametrize(("change", "field"), [
    ({"currency": "XXQ"}, "currency"),
    ({"lines": []}, "lines"),
    ({"kind": OrderKind.CONTRACT}, "ends_on"),
])
def test_bad_orders_are_refused_with_the_field_named(world, change, field):
    values = {"account": world["account"], "actor": world["admin"], "currency": "USD",
              "lines": [OrderLineInput(description="x", quantity=D(1), unit_price=D(1))],
              **change}
    with pytest.raises(ValidationError) as error:
        order_create(**values)
    assert field in error.value.message_dict


def test_a_negative_quantity_is_refused(world):
    with pytest.raises(ValidationError):
        order_create(account=world["account"], actor=world["admin"], currency="USD",
                     lines=[OrderLineInput(description="x", quantity=D(-1), unit_price=D(1))])


def test_the_contact_must_belong_to_the_account(world):
    other = make_contact(account=make_account(name="Elsewhere Ltd"))
    with pytest.raises(ValidationError) as error:
        order_create(account=world["account"], actor=world["admin"], currency="USD",
                     contact=other,
                     lines=[OrderLineInput(description="x", quantity=D(1), unit_price=D(1))])
    assert "contact" in error.value.message_dict


def _quote(world, status):
    quote = Quote.objects.create(number="Q-2026-09999", account=world["account"],
                                 owner=world["rep"], currency="USD", status=status,
                                 discount_percent=D(10), terms="30 days net")
    QuoteLine.objects.create(quote=quote, position=1, product=world["product"],
                             quantity=D(4), unit_price=D("19.99"), tax_rate=D(13),
                             discount_percent=D(2))
    return quote


def test_an_accepted_quote_becomes_one_order_equal_to_it(world):
    quote = _quote(world, QuoteStatus.ACCEPTED)
    order = order_from_quote(quote=quote, actor=world["admin"])
    expected = document_totals(quote.lines.all(), currency="USD", document_discount_percent=10)
    assert (order.quote, order.total, order.owner, order.payment_terms) == (
        quote, expected.total, world["rep"], "30 days net")
    assert order.lines.get().quote_line == quote.lines.get()
    assert order_from_quote(quote=quote, actor=world["admin"]) == order


def test_a_quote_that_is_not_accepted_does_not_become_an_order(world):
    with pytest.raises(ValidationError):
        order_from_quote(quote=_quote(world, QuoteStatus.SENT), actor=world["admin"])
