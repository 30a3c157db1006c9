"""What the quote builder reads for a portal member: the catalog with their account's prices,
their saved baskets, the order made from a quote they see. Everything starts from the
member's memberships (portal.selectors); an id from a URL or a request body is only looked
up inside them.

The *current account* is the one the member works for: on the pages the one chosen in the
account switcher (portal.access), in the member API ``?account=`` or else the member's first
account (as ``GET me/`` answers). Prices, requests and baskets are for that account.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from crm.accounts.models import Account
from crm.catalog.models import Product
from crm.catalog.pricing import PriceQuote, prices_for
from crm.orders.models import Order
from crm.quotes.models import Quote, QuoteStatus
from portal import selectors
from portal.quote_builder.models import QuoteDraft
from portal.selectors import PortalScope
from portal.settings_selectors import portal_settings
from tenants.users.models import User

CATALOG_SEARCH_MAX = 100


# --- catalog -----------------------------------------------------------------------------

def member_catalog(scope: PortalScope, *, search: str = "", sku: str = ""
                   ) -> QuerySet[Product]:
    """The products a member may pick: every active product of the tenant (the catalog is
    not per account, its prices are), searched by name or SKU (``search``, contains) or
    one SKU (``sku``, exact, any case). Nothing for a scope without accounts. By name."""
    if scope.is_empty:
        return Product.objects.none()
    queryset = Product.objects.filter(active=True)
    search = search.strip()[:CATALOG_SEARCH_MAX]
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(sku__icontains=search))
    sku = sku.strip()[:CATALOG_SEARCH_MAX]
    if sku:
        queryset = queryset.filter(sku__iexact=sku)
    return queryset.order_by("name", "pk")


def member_catalog_product_ids(product_ids: Iterable[int]) -> dict[int, Product]:
    """The active products among ``product_ids`` (one query), by id."""
    return {product.pk: product
            for product in Product.objects.filter(active=True, pk__in=set(product_ids))}


@dataclass
class CatalogPrices:
    """The account's unit prices (for one unit) of catalog products, asked of the pricing
    service in one batch for a page (``load``) or one at a time for a product that was not
    on it (a detail, an export row)."""

    account: Account | None
    _known: dict[int, PriceQuote] = field(default_factory=dict)

    def load(self, products: Iterable[Product]) -> None:
        wanted = [product for product in products if product.pk not in self._known]
        if not wanted:
            return
        answers = prices_for(account=self.account,
                             items=[(product, Decimal(1)) for product in wanted],
                             on=timezone.localdate())
        self._known.update({answer.product_id: answer for answer in answers})

    def of(self, product: Product) -> PriceQuote:
        if product.pk not in self._known:
            self.load([product])
        return self._known[product.pk]


def member_list_prices_shown() -> bool:
    """Whether members see the catalog's list price beside their own price: only where the
    tenant made list prices public (portal settings); otherwise a member's price is all they
    learn (a list price would reveal their discount, which the tenant has not published)."""
    return portal_settings().list_prices_public


# --- baskets (drafts) --------------------------------------------------------------------

def member_quote_drafts(member: User, *, account_id: int) -> QuerySet[QuoteDraft]:
    """The member's own saved baskets for ``account_id``, and only while the member has an
    active membership of it (a withdrawn membership hides them). Newest first."""
    if not selectors.member_memberships(member).filter(account_id=account_id).exists():
        return QuoteDraft.objects.none()
    return QuoteDraft.objects.filter(member_id=member.pk, account_id=account_id).order_by(
        "-updated_at", "-pk")


def member_quote_draft_get(member: User, draft_id: int | str, *, account_id: int
                           ) -> QuoteDraft:
    """One of ``member_quote_drafts`` with its lines and products; Http404 for missing,
    garbage, another member's and another account's alike."""
    try:
        pk = int(str(draft_id))
    except (TypeError, ValueError):
        raise Http404 from None
    draft = (member_quote_drafts(member, account_id=account_id)
             .prefetch_related("lines__product").filter(pk=pk).first())
    if draft is None:
        raise Http404
    return draft


# --- quotes ------------------------------------------------------------------------------

def quote_awaits_answer(quote: Quote) -> bool:
    """Whether the customer can accept or reject ``quote`` now: sent to them and still
    valid (the nightly expiry may not have run yet)."""
    return quote.status == QuoteStatus.SENT and (
        quote.valid_until is None or quote.valid_until >= timezone.localdate())


def member_quote_revisions(scope: PortalScope, quote: Quote) -> list[Quote]:
    """Every revision of ``quote``'s number the member may see (portal.selectors'
    rules: staff drafts and internal reviews stay hidden), oldest first."""
    return list(selectors.member_quotes(scope).filter(number=quote.number)
                .order_by("revision", "pk"))


def member_quote_order(scope: PortalScope, quote: Quote) -> Order | None:
    """The order made from ``quote`` when the member may see the quote (its number and
    status, whatever the order's state: the member accepted it and may follow it)."""
    if not selectors.member_quotes(scope).filter(pk=quote.pk).exists():
        return None
    return Order.objects.filter(quote_id=quote.pk).order_by("pk").first()
