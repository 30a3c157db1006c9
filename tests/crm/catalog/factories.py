"""Products and price books for tests, built through crm.catalog.services (rules apply)."""

from datetime import date
from decimal import Decimal
from itertools import count
from typing import Any

from crm.catalog.models import PriceBook, PriceBookEntry, Product
from crm.catalog.services import price_book_create, price_book_entry_set, product_create
from tenants.users.models import User

_sequence = count(1)
START = date(2026, 1, 1)


def make_product(*, actor: User, **fields: Any) -> Product:
    number = next(_sequence)
    values = {"sku": f"SKU-{number}", "name": f"Product {number}", "currency": "USD",
              "list_price": Decimal("100.00"), "tax_rate": Decimal(13), **fields}
    return product_create(actor=actor, **values)


def make_book(*, actor: User, prices: dict[Product, Any] | None = None, **fields: Any
              ) -> PriceBook:
    values = {"name": f"Book {next(_sequence)}", "currency": "USD", "valid_from": START,
              **fields}
    book = price_book_create(actor=actor, **values)
    for product, price in (prices or {}).items():
        tiers = price if isinstance(price, dict) else {1: price}
        for min_quantity, unit_price in tiers.items():
            set_price(book=book, product=product, unit_price=unit_price,
                      min_quantity=min_quantity, actor=actor)
    return book


def set_price(*, book: PriceBook, product: Product, unit_price: Any, min_quantity: Any = 1,
              actor: User) -> PriceBookEntry:
    return price_book_entry_set(book=book, product=product, unit_price=Decimal(unit_price),
                                min_quantity=Decimal(min_quantity), actor=actor)
