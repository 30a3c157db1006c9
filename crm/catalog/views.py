"""Catalog pages under /crm/catalog/: products (everyone with USE_CRM reads, EDIT_RECORDS
changes), price books with entries and tiers (MANAGE_CATALOG changes) and the price check
(the pricing service's answer for an account, product, quantity and date)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.catalog import forms, pricing, selectors, services
from crm.catalog.filters import ProductFilter
from crm.core.decorators import capability_required, staff_required
from crm.core.exports import export_requested, page_export
from crm.core.forms import apply_service_errors
from crm.core.pagination import page_of
from tenants.users.permissions import Capability, can

edit_required = capability_required(Capability.EDIT_RECORDS)
catalog_required = capability_required(Capability.MANAGE_CATALOG)


# --- products -------------------------------------------------------------------------

@require_GET
@staff_required
def product_list(request: HttpRequest) -> HttpResponse:
    filters = ProductFilter(request.GET or None,
                            queryset=selectors.product_list(viewer=request.user))
    queryset = filters.qs if filters.is_bound and filters.is_valid() else filters.queryset
    if export_requested(request):
        return page_export(request, queryset.order_by("name", "pk"), api_basename="product")
    return render(request, "crm/catalog/product_list.html", {
        "filters": filters, "page": page_of(queryset.order_by("name", "pk"), request),
        "families": selectors.product_families(),
        "can_edit": can(request.user, Capability.EDIT_RECORDS),
    })


@require_GET
@staff_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = selectors.product_get_for(viewer=request.user, product_id=pk)
    entries = (product.price_entries.select_related("book", "book__account")
               .order_by("book__kind", "book__name", "min_quantity"))
    return render(request, "crm/catalog/product_detail.html", {
        "product": product, "entries": entries,
        "can_edit": can(request.user, Capability.EDIT_RECORDS),
    })


def _product_form(request: HttpRequest, product: Any | None) -> HttpResponse:
    form = forms.ProductForm(request.POST or None, request.FILES or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            if product is None:
                saved = services.product_create(actor=request.user, **form.service_values())
            else:
                saved = services.product_update(product=product, actor=request.user,
                                                **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Product saved."))
            return redirect("crm_catalog:product_detail", pk=saved.pk)
    return render(request, "crm/catalog/product_form.html", {"form": form,
                                                             "product": product})


@require_http_methods(["GET", "POST"])
@edit_required
def product_create(request: HttpRequest) -> HttpResponse:
    return _product_form(request, None)


@require_http_methods(["GET", "POST"])
@edit_required
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _product_form(request, selectors.product_get_for(viewer=request.user,
                                                            product_id=pk))


# --- price books ----------------------------------------------------------------------

@require_GET
@staff_required
def price_book_list(request: HttpRequest) -> HttpResponse:
    books = selectors.price_book_list(viewer=request.user)
    return render(request, "crm/catalog/price_book_list.html", {
        "books": books, "today": timezone.localdate(),
        "can_manage": can(request.user, Capability.MANAGE_CATALOG),
    })


@require_GET
@staff_required
def price_book_detail(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.price_book_get_for(viewer=request.user, book_id=pk)
    can_manage = can(request.user, Capability.MANAGE_CATALOG)
    return render(request, "crm/catalog/price_book_detail.html", {
        "book": book, "entries": book.entries.all(), "today": timezone.localdate(),
        "can_manage": can_manage,
        "entry_form": forms.PriceBookEntryForm() if can_manage else None,
    })


def _book_form(request: HttpRequest, book: Any | None) -> HttpResponse:
    form = forms.PriceBookForm(request.POST or None, instance=book, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if book is None:
                saved = services.price_book_create(actor=request.user,
                                                   **form.service_values())
            else:
                saved = services.price_book_update(book=book, actor=request.user,
                                                   **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Price book saved."))
            return redirect("crm_catalog:price_book_detail", pk=saved.pk)
    return render(request, "crm/catalog/price_book_form.html", {"form": form, "book": book})


@require_http_methods(["GET", "POST"])
@catalog_required
def price_book_create(request: HttpRequest) -> HttpResponse:
    return _book_form(request, None)


@require_http_methods(["GET", "POST"])
@catalog_required
def price_book_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _book_form(request, selectors.price_book_get_for(viewer=request.user, book_id=pk))


@require_POST
@catalog_required
def price_book_entry_add(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.price_book_get_for(viewer=request.user, book_id=pk)
    form = forms.PriceBookEntryForm(request.POST)
    if form.is_valid():
        try:
            services.price_book_entry_set(book=book, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Price saved."))
            return redirect("crm_catalog:price_book_detail", pk=book.pk)
    return render(request, "crm/catalog/price_book_detail.html", {
        "book": book, "entries": book.entries.all(), "today": timezone.localdate(),
        "can_manage": True, "entry_form": form,
    }, status=400)


@require_POST
@catalog_required
def price_book_entry_remove(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    book = selectors.price_book_get_for(viewer=request.user, book_id=pk)
    entry = selectors.price_book_entry_get_for(viewer=request.user, book=book,
                                               entry_id=entry_id)
    services.price_book_entry_remove(entry=entry, actor=request.user)
    messages.success(request, _("Price removed."))
    return redirect("crm_catalog:price_book_detail", pk=book.pk)


# --- price check ----------------------------------------------------------------------

@require_GET
@staff_required
def price_check(request: HttpRequest) -> HttpResponse:
    form = forms.PriceCheckForm(request.GET or None, viewer=request.user)
    answer = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        answer = pricing.price_for(account=data.get("account"), product=data["product"],
                                   quantity=data["quantity"],
                                   on=data.get("on") or timezone.localdate())
    return render(request, "crm/catalog/price_check.html", {"form": form, "answer": answer})
