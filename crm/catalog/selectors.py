"""Catalog reads the pages and the API share. Every staff user with USE_CRM reads the whole
catalog (products and price books are not owned records); a missing id is a 404."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from crm.catalog.models import PriceBook, PriceBookEntry, Product
from tenants.users.models import User
from tenants.users.permissions import Capability, can


def _readable(viewer: User) -> bool:
    return can(viewer, Capability.USE_CRM)


def product_list(*, viewer: User, search: str = "") -> QuerySet[Product]:
    """Products ``viewer`` may read, optionally searched by SKU, name or family."""
    if not _readable(viewer):
        return Product.objects.none()
    queryset = Product.objects.all()
    search = search.strip()
    if search:
        queryset = queryset.filter(Q(sku__icontains=search) | Q(name__icontains=search)
                                   | Q(family__icontains=search)
                                   | Q(external_id=search))
    return queryset


def product_get_for(*, viewer: User, product_id: int | str) -> Product:
    try:
        pk = int(product_id)
    except (TypeError, ValueError):
        raise Http404 from None
    product = product_list(viewer=viewer).filter(pk=pk).first()
    if product is None:
        raise Http404
    return product


def product_families() -> list[str]:
    return list(Product.objects.exclude(family="").order_by("family")
                .values_list("family", flat=True).distinct())


def product_public_list(*, family: str = "", search: str = "") -> QuerySet[Product]:
    """Active products for the tenant's public site (the portal's catalog pages): anyone on
    the tenant's host may read them, so no viewer; inactive products never show. Which
    price a reader sees is the caller's decision (portal settings, the pricing service)."""
    queryset = Product.objects.filter(active=True)
    if family:
        queryset = queryset.filter(family=family)
    search = search.strip()
    if search:
        queryset = queryset.filter(Q(sku__icontains=search) | Q(name__icontains=search)
                                   | Q(description__icontains=search))
    return queryset.order_by("family", "name", "pk")


def product_public_get(*, product_id: int | str) -> Product:
    """An active product by id for the public site; one 404 for missing, inactive, garbage."""
    try:
        pk = int(product_id)
    except (TypeError, ValueError):
        raise Http404 from None
    product = Product.objects.filter(active=True, pk=pk).first()
    if product is None:
        raise Http404
    return product


def product_public_families() -> list[str]:
    """The families of active products (the public catalog's filter)."""
    return list(Product.objects.filter(active=True).exclude(family="").order_by("family")
                .values_list("family", flat=True).distinct())


def _entries_prefetch() -> Prefetch:
    return Prefetch("entries", queryset=PriceBookEntry.objects.select_related("product")
                    .order_by("product__name", "product_id", "min_quantity"))


def price_book_list(*, viewer: User) -> QuerySet[PriceBook]:
    """Price books with their account and entry count (every reader of the CRM)."""
    if not _readable(viewer):
        return PriceBook.objects.none()
    return (PriceBook.objects.select_related("account")
            .annotate(entry_count=Count("entries")))


def price_book_api_list(*, viewer: User) -> QuerySet[PriceBook]:
    """Price books with account and entries loaded (the API nests the entries)."""
    if not _readable(viewer):
        return PriceBook.objects.none()
    return PriceBook.objects.select_related("account").prefetch_related(_entries_prefetch())


def price_book_get_for(*, viewer: User, book_id: int | str) -> PriceBook:
    try:
        pk = int(book_id)
    except (TypeError, ValueError):
        raise Http404 from None
    book = price_book_api_list(viewer=viewer).filter(pk=pk).first()
    if book is None:
        raise Http404
    return book


def price_book_entry_get_for(*, viewer: User, book: PriceBook, entry_id: int | str
                             ) -> PriceBookEntry:
    try:
        pk = int(entry_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if not _readable(viewer):
        raise Http404
    entry = PriceBookEntry.objects.filter(book=book, pk=pk).first()
    if entry is None:
        raise Http404
    return entry
