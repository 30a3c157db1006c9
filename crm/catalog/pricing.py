"""THE pricing service: what does this account pay for this product at this quantity on
this date. Staff quotes, the portal's quote builder and the API all ask here.

Resolution, first match wins:

1. ``account``  - a book of the account itself;
2. ``group``    - a book of the account's group: its tier (Account.tier) or one of its tags
                  (Account.tags);
3. ``parent``   - a book of the nearest ancestor that has one (a branch inherits its head
                  office's own prices unless it has its own; the chain is walked up to the
                  root). Only the ancestors' *own* (account) books are inherited;
4. ``standard`` - the standard book;
5. ``list``     - the product's list price.

A book counts only while active and valid on the date (``valid_from <= on`` and
``valid_until`` empty or ``>= on``): expired and future books are ignored. A level applies
only when one of its books has an entry for the product whose ``min_quantity`` the quantity
meets; otherwise the next level is asked. Within a level the best tier is the one with the
highest ``min_quantity`` that is met; between several books of one level (an account with
two overlapping books, or in two groups) the lowest unit price wins, then the higher tier,
then the lower book id.

Queries: ``prices_for`` uses at most two, whatever the number of items (the account's
ancestor chain, one recursive query, only when the account has a parent; then every
candidate entry of every item in one query).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from crm.accounts.models import Account
from crm.accounts.selectors import account_ancestor_ids
from crm.catalog.models import PriceBookEntry, PriceBookKind, Product


class PriceSource:
    ACCOUNT = "account"
    GROUP = "group"
    PARENT = "parent"
    STANDARD = "standard"
    LIST = "list"


@dataclass(frozen=True)
class PriceBookRef:
    id: int
    name: str


@dataclass(frozen=True)
class PriceQuote:
    product_id: int
    quantity: Decimal
    unit_price: Decimal
    currency: str
    source: str
    price_book: PriceBookRef | None = None  # None for the list price
    min_quantity: Decimal | None = None  # the tier that applied (None for the list price)

    def as_dict(self) -> dict[str, object]:
        """The API's shape: money as strings."""
        return {
            "product": self.product_id,
            "quantity": str(self.quantity),
            "unit_price": str(self.unit_price),
            "currency": self.currency,
            "price_book": (None if self.price_book is None
                           else {"id": self.price_book.id, "name": self.price_book.name}),
            "min_quantity": None if self.min_quantity is None else str(self.min_quantity),
            "source": self.source,
        }


def _best(entries: list[PriceBookEntry], quantity: Decimal) -> PriceBookEntry | None:
    """The cheapest qualifying top tier among several books' entries of one level."""
    per_book: dict[int, PriceBookEntry] = {}
    for entry in entries:
        if entry.min_quantity > quantity:
            continue
        current = per_book.get(entry.book_id)
        if current is None or entry.min_quantity > current.min_quantity:
            per_book[entry.book_id] = entry
    if not per_book:
        return None
    return min(per_book.values(),
               key=lambda e: (e.unit_price, -e.min_quantity, e.book_id))


def _quote(product: Product, quantity: Decimal, entry: PriceBookEntry, source: str
           ) -> PriceQuote:
    return PriceQuote(
        product_id=product.pk, quantity=quantity, unit_price=entry.unit_price,
        currency=entry.book.currency, source=source,
        price_book=PriceBookRef(id=entry.book_id, name=entry.book.name),
        min_quantity=entry.min_quantity,
    )


def prices_for(*, account: Account | None, items: list[tuple[Product, Decimal]], on: date
               ) -> list[PriceQuote]:
    """One PriceQuote per (product, quantity), in the same order, in at most two queries."""
    if not items:
        return []
    ancestors: list[int] = []
    if account is not None and account.parent_id is not None:
        ancestors = account_ancestor_ids(account_id=account.pk)[1:]
    books = Q(book__kind=PriceBookKind.STANDARD)
    if account is not None:
        books |= Q(book__kind=PriceBookKind.ACCOUNT, book__account_id__in=[account.pk,
                                                                            *ancestors])
        group = Q()
        if account.tier:
            group |= Q(book__group_tier=account.tier)
        if account.tags:
            group |= Q(book__group_tag__in=list(account.tags))
        if group:
            books |= Q(book__kind=PriceBookKind.GROUP) & group
    product_ids = {product.pk for product, _quantity in items}
    entries = list(
        PriceBookEntry.objects.filter(books, product_id__in=product_ids, book__active=True,
                                      book__valid_from__lte=on,
                                      min_quantity__lte=max(q for _p, q in items))
        .filter(Q(book__valid_until__isnull=True) | Q(book__valid_until__gte=on))
        .select_related("book")
    )
    # Level of each entry: 0 own, 1 group, 2.. ancestors (nearest first), last standard.
    depth = {account_id: 2 + index for index, account_id in enumerate(ancestors)}
    by_product: dict[int, dict[int, list[PriceBookEntry]]] = {}
    for entry in entries:
        book = entry.book
        if book.kind == PriceBookKind.STANDARD:
            level = 10_000
        elif book.kind == PriceBookKind.GROUP:
            level = 1
        elif account is not None and book.account_id == account.pk:
            level = 0
        else:
            level = depth[book.account_id]
        by_product.setdefault(entry.product_id, {}).setdefault(level, []).append(entry)
    quotes = []
    for product, quantity in items:
        levels = by_product.get(product.pk, {})
        found = None
        for level in sorted(levels):
            best = _best(levels[level], quantity)
            if best is not None:
                source = (PriceSource.ACCOUNT if level == 0 else PriceSource.GROUP
                          if level == 1 else PriceSource.STANDARD if level == 10_000
                          else PriceSource.PARENT)
                found = _quote(product, quantity, best, source)
                break
        quotes.append(found or PriceQuote(
            product_id=product.pk, quantity=quantity, unit_price=product.list_price,
            currency=product.currency, source=PriceSource.LIST))
    return quotes


def price_for(*, account: Account | None, product: Product, quantity: Decimal, on: date
              ) -> PriceQuote:
    """What ``account`` (None: no account, the standard book or list price) pays per unit of
    ``product`` at ``quantity`` on ``on``."""
    return prices_for(account=account, items=[(product, quantity)], on=on)[0]
