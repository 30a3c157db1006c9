"""The pricing service: account over group over parent over standard over list price;
volume tiers; books out of their dates or inactive are ignored; constant query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.accounts.models import AccountTier
from crm.catalog.models import PriceBookKind
from crm.catalog.pricing import price_for, prices_for
from tests.crm.accounts.factories import make_account
from tests.crm.catalog.factories import make_book, make_product

D = Decimal
ON = date(2026, 6, 1)


@pytest.fixture
def world(tenant_a, in_tenant):
    """A head office (key account, tagged "gov") with a branch and a sub-branch, one
    product with a list price of 100, and a standard book at 95."""
    admin = tenant_a.users["admin"]
    with in_tenant(tenant_a):
        head = make_account(name="Head Office Ltd", tier=AccountTier.KEY, tags=["gov"])
        branch = make_account(name="Branch Ltd", tier=AccountTier.A, parent=head)
        sub = make_account(name="Sub Branch Ltd", tier=AccountTier.B, parent=branch)
        loner = make_account(name="Loner Ltd", tier=AccountTier.C)
        product = make_product(actor=admin, list_price=D("100.00"))
        standard = make_book(actor=admin, kind=PriceBookKind.STANDARD, name="Standard",
                             prices={product: {1: "95.00", 100: "90.00"}})
        yield {"admin": admin, "head": head, "branch": branch, "sub": sub, "loner": loner,
               "product": product, "standard": standard}


def _price(world, account_key, quantity=1, on=ON):
    account = world[account_key] if account_key else None
    return price_for(account=account, product=world["product"], quantity=D(quantity), on=on)


def test_without_any_book_the_list_price_applies(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        product = make_product(actor=tenant_a.users["admin"], list_price=D("42.50"),
                               currency="EUR")
        quote = price_for(account=None, product=product, quantity=D(1), on=ON)
    assert (quote.unit_price, quote.currency, quote.source, quote.price_book) == (
        D("42.50"), "EUR", "list", None)


def test_the_standard_book_applies_to_accounts_without_books(world):
    quote = _price(world, "loner")
    assert (quote.unit_price, quote.source, quote.price_book.id) == (
        D("95.00"), "standard", world["standard"].pk)
    assert _price(world, None).source == "standard"


def test_the_best_tier_whose_minimum_is_met_applies(world):
    assert _price(world, "loner", 99).unit_price == D("95.00")
    quote = _price(world, "loner", 100)
    assert (quote.unit_price, quote.min_quantity) == (D("90.00"), D(100))
    assert _price(world, "loner", 5000).unit_price == D("90.00")


def test_a_quantity_below_every_tier_falls_through_to_the_next_level(world):
    make_book(actor=world["admin"], kind=PriceBookKind.ACCOUNT, account=world["loner"],
              prices={world["product"]: {10: "70.00"}})
    assert _price(world, "loner", 9).source == "standard"
    assert _price(world, "loner", 10).source == "account"


def test_group_book_by_tier_and_by_tag(world):
    make_book(actor=world["admin"], kind=PriceBookKind.GROUP, group_tier=AccountTier.KEY,
              prices={world["product"]: "85.00"})
    quote = _price(world, "head")
    assert (quote.unit_price, quote.source) == (D("85.00"), "group")
    make_book(actor=world["admin"], kind=PriceBookKind.GROUP, group_tag="gov",
              prices={world["product"]: "80.00"})
    # two group books apply: the lower price wins
    assert _price(world, "head").unit_price == D("80.00")
    assert _price(world, "loner").source == "standard"


def test_account_over_group_over_parent_over_standard(world):
    admin, product = world["admin"], world["product"]
    make_book(actor=admin, kind=PriceBookKind.ACCOUNT, account=world["head"],
              prices={product: "70.00"})
    # the branch (tier A, no book) inherits the head office's own book, at any depth
    for key in ("branch", "sub"):
        quote = _price(world, key)
        assert (quote.unit_price, quote.source) == (D("70.00"), "parent")
    make_book(actor=admin, kind=PriceBookKind.GROUP, group_tier=AccountTier.A,
              prices={product: "88.00"})
    # the branch's group book beats the parent's; the sub-branch (tier B) still inherits
    assert (_price(world, "branch").unit_price, _price(world, "branch").source) == (
        D("88.00"), "group")
    assert _price(world, "sub").source == "parent"
    make_book(actor=admin, kind=PriceBookKind.ACCOUNT, account=world["branch"],
              prices={product: "60.00"})
    assert (_price(world, "branch").unit_price, _price(world, "branch").source) == (
        D("60.00"), "account")
    # the sub-branch inherits from its nearest ancestor with a book: the branch
    assert (_price(world, "sub").unit_price, _price(world, "sub").source) == (
        D("60.00"), "parent")
    # the head office's own book beats its key-account group book
    make_book(actor=admin, kind=PriceBookKind.GROUP, group_tier=AccountTier.KEY,
              prices={product: "50.00"})
    assert _price(world, "head").source == "account"


def test_expired_future_and_inactive_books_are_ignored(world):
    admin, product, loner = world["admin"], world["product"], world["loner"]
    expired = make_book(actor=admin, kind=PriceBookKind.ACCOUNT, account=loner,
                        valid_from=date(2025, 1, 1), valid_until=date(2026, 5, 31),
                        prices={product: "10.00"})
    future = make_book(actor=admin, kind=PriceBookKind.ACCOUNT, account=loner,
                       valid_from=date(2026, 6, 2), prices={product: "20.00"})
    inactive = make_book(actor=admin, kind=PriceBookKind.ACCOUNT, account=loner,
                         active=False, prices={product: "30.00"})
    assert _price(world, "loner").source == "standard"
    # the edges: the last day and the first day count
    assert _price(world, "loner", on=date(2026, 5, 31)).price_book.id == expired.pk
    assert _price(world, "loner", on=date(2026, 6, 2)).price_book.id == future.pk
    assert inactive.pk not in {_price(world, "loner", on=day).price_book.id
                               for day in (date(2026, 5, 31), ON, date(2026, 6, 2))}


def test_an_inactive_standard_book_falls_back_to_the_list_price(world):
    from crm.catalog.services import price_book_update

    price_book_update(book=world["standard"], actor=world["admin"], active=False)
    quote = _price(world, "loner")
    assert (quote.unit_price, quote.source) == (D("100.00"), "list")


def test_the_book_currency_is_answered(world):
    make_book(actor=world["admin"], kind=PriceBookKind.ACCOUNT, account=world["loner"],
              currency="JPY", prices={world["product"]: "9800"})
    quote = _price(world, "loner")
    assert (quote.unit_price, quote.currency) == (D("9800"), "JPY")


def test_batch_pricing_answers_in_order_per_quantity(world):
    admin = world["admin"]
    other = make_product(actor=admin, list_price=D("5.00"))
    quotes = prices_for(account=world["loner"], on=ON, items=[
        (world["product"], D(1)), (other, D(3)), (world["product"], D(100))])
    assert [(q.product_id, q.unit_price, q.source) for q in quotes] == [
        (world["product"].pk, D("95.00"), "standard"), (other.pk, D("5.00"), "list"),
        (world["product"].pk, D("90.00"), "standard")]


@pytest.mark.parametrize("count", [1, 50])
def test_batch_pricing_uses_a_constant_number_of_queries(world, count):
    admin = world["admin"]
    products = [make_product(actor=admin) for _ in range(count)]
    make_book(actor=admin, kind=PriceBookKind.ACCOUNT, account=world["head"],
              prices=dict.fromkeys(products[::2], "70.00"))
    make_book(actor=admin, kind=PriceBookKind.GROUP, group_tag="gov",
              prices=dict.fromkeys(products[1::3], "80.00"))
    items = [(product, D(index + 1)) for index, product in enumerate(products)]
    for key, most in (("sub", 2), ("loner", 1), (None, 1)):
        account = world[key] if key else None
        with CaptureQueriesContext(connection) as queries:
            quotes = prices_for(account=account, items=items, on=ON)
        assert len(quotes) == count
        assert len(queries) <= most, [q["sql"] for q in queries]
    assert quotes[0].source == "list"
