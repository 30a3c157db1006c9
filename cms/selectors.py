"""Reads of the portal site: knowledge base lists and search; the catalog pages' prices."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from wagtail.models import Page

from cms.models import InquiryPage, KnowledgeBaseArticlePage, KnowledgeBaseCategoryPage
from cms.search import cjk_query
from crm.accounts.models import Account
from crm.catalog.models import Product
from crm.catalog.pricing import PriceSource, prices_for
from portal.access import is_member, portal_context
from portal.settings_selectors import portal_settings


def kb_categories(*, within: Page) -> QuerySet[KnowledgeBaseCategoryPage]:
    """Live categories under ``within`` (public pages: visible to everyone on the host)."""
    return (KnowledgeBaseCategoryPage.objects.child_of(within).live().public()
            .order_by("path"))


def kb_articles(*, category: Page) -> QuerySet[KnowledgeBaseArticlePage]:
    return (KnowledgeBaseArticlePage.objects.child_of(category).live().public()
            .order_by("path"))


def kb_search(*, query: str, within: Page) -> list[KnowledgeBaseArticlePage]:
    """Live, public articles under ``within`` matching every word of ``query``; a Chinese
    word is matched by its character bigrams (cms.search), so ``保养`` finds ``定期保养``."""
    terms = cjk_query(query)
    if not terms:
        return []
    articles = (KnowledgeBaseArticlePage.objects.live().public().descendant_of(within))
    return list(articles.search(terms, operator="and")[:50])


@dataclass(frozen=True)
class CatalogViewer:
    """Who reads the catalog pages, as far as prices go."""

    account: Account | None  # a signed-in member's current account
    list_prices_public: bool

    @property
    def is_member(self) -> bool:
        return self.account is not None

    @property
    def sees_prices(self) -> bool:
        return self.is_member or self.list_prices_public


@dataclass(frozen=True)
class CatalogPrice:
    amount: Decimal
    currency: str
    is_account_price: bool  # from a price book of the member's account (or its group...)


def catalog_viewer(request: HttpRequest) -> CatalogViewer:
    """A member's current account comes through the portal's own access check (the session
    value is checked against their active memberships); anyone else is a visitor, staff
    included: the public site shows them what it shows the public."""
    account = None
    if is_member(request.user):
        context = portal_context(request)
        account = context.account if context is not None else None
    return CatalogViewer(account=account,
                         list_prices_public=portal_settings().list_prices_public)


def catalog_prices(*, products: Sequence[Product], viewer: CatalogViewer,
                   on: date | None = None) -> dict[int, CatalogPrice]:
    """The price to show per product id for one unit: a member's from the pricing service
    (their account's books, its group's, its head office's, the standard book, else the
    list price), a visitor's the list price only where list prices are public, else none.
    At most two queries for a member (crm.catalog.pricing), none for a visitor."""
    if not products:
        return {}
    if viewer.account is not None:
        quotes = prices_for(account=viewer.account,
                            items=[(product, Decimal(1)) for product in products],
                            on=on or timezone.localdate())
        return {quote.product_id: CatalogPrice(
            amount=quote.unit_price, currency=quote.currency,
            is_account_price=quote.source != PriceSource.LIST) for quote in quotes}
    if viewer.list_prices_public:
        return {product.pk: CatalogPrice(amount=product.list_price, currency=product.currency,
                                         is_account_price=False) for product in products}
    return {}


def inquiry_page_url(request: HttpRequest | None = None) -> str:
    """The live contact (inquiry) page's URL, or the inquiry form outside the page tree."""
    page = InquiryPage.objects.live().public().first()
    url = page.get_url(request) if page is not None else None
    return url or "/portal/inquiry/"
