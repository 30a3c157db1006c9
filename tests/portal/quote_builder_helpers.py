"""Catalog and quote set-up shared by the quote builder's tests (built through the catalog
and quotes services, so their rules apply)."""

from dataclasses import dataclass
from decimal import Decimal

from crm.catalog.models import Product
from crm.quotes.models import Quote
from crm.quotes.services import quote_send, quote_submit
from portal.quote_builder.services import BasketLine, member_quote_request_submit
from portal.selectors import member_memberships
from tests.crm.catalog.factories import make_book, make_product
from tests.portal.conftest import World


@dataclass
class Catalog:
    drill: Product  # list 100.00, B1's own book: 80.00
    saw: Product  # list 40.00 (no book: list price), tax 13 %
    retired: Product  # inactive


def make_catalog(world: World, admin) -> Catalog:
    drill = make_product(actor=admin, sku="DRL-100", name="Cordless drill",
                         list_price=Decimal("100.00"), tax_rate=Decimal(13))
    saw = make_product(actor=admin, sku="SAW-200", name="Circular saw",
                       list_price=Decimal("40.00"), tax_rate=Decimal(13))
    retired = make_product(actor=admin, sku="OLD-300", name="Retired drill",
                           list_price=Decimal("10.00"), active=False)
    make_book(actor=admin, kind="account", account=world.accounts["B1"], name="B1 prices",
              prices={drill: Decimal("80.00")})
    return Catalog(drill=drill, saw=saw, retired=retired)


def requested_quote(member, lines: list[tuple[Product, int]], note: str = "") -> Quote:
    membership = member_memberships(member).first()
    return member_quote_request_submit(
        member=member, membership=membership, note=note,
        lines=[BasketLine(product=product.pk, quantity=quantity)
               for product, quantity in lines])


def sent_quote(member, staff, lines: list[tuple[Product, int]]) -> Quote:
    """A member's request, approved and sent by the staff: waiting for the member."""
    quote = requested_quote(member, lines)
    quote = quote_submit(quote=quote, actor=staff)
    return quote_send(quote=quote, actor=staff)
