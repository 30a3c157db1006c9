"""The member area's quotes: the list (with the member's saved drafts), the quote builder
(catalog with the account's prices, basket, live totals from the server, save as draft,
submit as a quote request), and the quote page (revisions, PDF, accept, reject, the order).

Adapters only: every record comes through portal.selectors / portal.quote_builder.selectors
for the current account; every rule is in portal.quote_builder.services. The builder's
partials (catalog, basket, totals) answer htmx requests; the totals are the CRM's totals
service, asked as the member types (there is no copy of the rule in JavaScript)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.core.pagination import page_of
from crm.quotes.pdf import render_quote_pdf
from portal import selectors
from portal.access import PortalContext, member_required
from portal.quote_builder import selectors as builder_selectors
from portal.quote_builder import services as builder
from portal.quote_builder.models import QuoteDraft
from tenants.security.client_ip import client_ip

CATALOG_ROWS = 20


def _ctx(request: HttpRequest) -> PortalContext:
    return request.portal


def _base(request: HttpRequest, **extra: object) -> dict[str, object]:
    return {"portal": _ctx(request), "today": timezone.localdate(), **extra}


def _posted_lines(request: HttpRequest) -> list[builder.BasketLine]:
    """The basket as the page posts it: parallel ``product`` and ``quantity`` fields."""
    products = request.POST.getlist("product")
    quantities = request.POST.getlist("quantity")
    quantities += [""] * (len(products) - len(quantities))
    return [builder.BasketLine(product=product, quantity=quantity)
            for product, quantity in zip(products, quantities, strict=False)]


def _rows(lines: list[builder.BasketLine]) -> list[dict[str, Any]]:
    """The basket's rows for the template: each line's product (dropped when it is not an
    active catalog product any more) and the quantity as typed."""
    ids: list[int] = []
    for line in lines:
        try:
            ids.append(int(str(line.product)))
        except (TypeError, ValueError):
            ids.append(0)
    products = builder_selectors.member_catalog_product_ids(pk for pk in ids if pk)
    return [{"product": products[pk], "quantity": str(line.quantity)}
            for pk, line in zip(ids, lines, strict=True) if pk in products]


def _catalog(request: HttpRequest, search: str) -> list[dict[str, Any]]:
    portal = _ctx(request)
    products = list(builder_selectors.member_catalog(portal.scope, search=search)
                    [:CATALOG_ROWS])
    prices = builder_selectors.CatalogPrices(account=portal.account)
    prices.load(products)
    return [{"product": product, "price": prices.of(product)} for product in products]


def _line_errors(error: ValidationError) -> tuple[dict[int, list[str]], list[str]]:
    """(messages per line index, messages for the basket as a whole)."""
    per_line: dict[int, list[str]] = {}
    general: list[str] = []
    for key, problems in getattr(error, "message_dict", {"": error.messages}).items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit():
            per_line.setdefault(int(parts[1]), []).extend(problems)
        else:
            general.extend(problems)
    return per_line, general


def _builder(request: HttpRequest, *, draft: QuoteDraft | None,
             rows: list[dict[str, Any]], note: str, error: ValidationError | None = None,
             status: int = 200) -> HttpResponse:
    per_line, general = _line_errors(error) if error is not None else ({}, [])
    for index, row in enumerate(rows):
        row["errors"] = per_line.get(index, [])
    search = request.GET.get("q", "")
    return render(request, "portal/quotes/builder.html", _base(
        request, draft=draft, rows=rows, note=note, errors=general, search=search,
        catalog=_catalog(request, search),
        list_prices_shown=builder_selectors.member_list_prices_shown(),
    ), status=status)


@member_required
def quote_list(request: HttpRequest) -> HttpResponse:
    portal = _ctx(request)
    pager = page_of(selectors.member_quotes(portal.scope), request)
    drafts = list(builder_selectors.member_quote_drafts(portal.member,
                                                        account_id=portal.account.pk)
                  .prefetch_related("lines"))
    return render(request, "portal/quote_list.html", _base(request, pager=pager,
                                                           drafts=drafts))


@require_GET
@member_required
def quote_builder(request: HttpRequest) -> HttpResponse:
    """A new basket for the current account."""
    return _builder(request, draft=None, rows=[], note="")


@require_GET
@member_required
def quote_draft_edit(request: HttpRequest, draft_id: int) -> HttpResponse:
    """One of the member's saved baskets, to change, save again or submit."""
    portal = _ctx(request)
    draft = builder_selectors.member_quote_draft_get(portal.member, draft_id,
                                                     account_id=portal.account.pk)
    rows = [{"product": line.product, "quantity": _plain(line.quantity)}
            for line in draft.lines.all() if line.product.active]
    return _builder(request, draft=draft, rows=rows, note=draft.note)


def _plain(value: Any) -> str:
    """A stored quantity as the member typed it: "4", "2.5"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@require_GET
@member_required
def builder_catalog(request: HttpRequest) -> HttpResponse:
    """The catalog search results (htmx), with the current account's prices."""
    search = request.GET.get("q", "")
    return render(request, "portal/quotes/_catalog.html", _base(
        request, catalog=_catalog(request, search), search=search,
        list_prices_shown=builder_selectors.member_list_prices_shown()))


def _basket_response(request: HttpRequest, rows: list[dict[str, Any]]) -> HttpResponse:
    for row in rows:
        row.setdefault("errors", [])
    response = render(request, "portal/quotes/_basket_lines.html", _base(request, rows=rows))
    # After the swap: the totals then post the basket with its new lines.
    response["HX-Trigger-After-Settle"] = "basketChanged"
    return response


@require_POST
@member_required
def builder_add(request: HttpRequest) -> HttpResponse:
    """The basket with one more catalog product (a product already in it stays one line)."""
    product = builder_selectors.member_catalog(_ctx(request).scope).filter(
        pk=_int(request.POST.get("add"))).first()
    if product is None:
        raise Http404
    rows = _rows(_posted_lines(request))
    if all(row["product"].pk != product.pk for row in rows):
        rows.append({"product": product, "quantity": "1"})
    return _basket_response(request, rows)


@require_POST
@member_required
def builder_remove(request: HttpRequest) -> HttpResponse:
    """The basket without the line at ``remove`` (its position, from 0)."""
    rows = _rows(_posted_lines(request))
    index = _int(request.POST.get("remove"))
    if 0 <= index < len(rows):
        del rows[index]
    return _basket_response(request, rows)


@require_POST
@member_required
def builder_totals(request: HttpRequest) -> HttpResponse:
    """The basket priced and totalled by the server (htmx, as the member types)."""
    portal = _ctx(request)
    lines = _posted_lines(request)
    context: dict[str, Any] = {"preview": None, "errors": [], "rows": []}
    if lines:
        try:
            preview = builder.member_quote_preview(member=portal.member,
                                                   membership=portal.membership, lines=lines)
        except ValidationError as error:
            per_line, general = _line_errors(error)
            context["errors"] = general + [
                _("Line %(number)s: %(problem)s") % {"number": index + 1, "problem": problem}
                for index, problems in sorted(per_line.items()) for problem in problems]
        else:
            context["preview"] = preview
            context["currency"] = preview.totals.currency
            context["rows"] = list(zip(preview.lines, preview.totals.lines, strict=True))
    return render(request, "portal/quotes/_totals.html", _base(request, **context))


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return -1


def _draft_of(request: HttpRequest, draft_id: int) -> QuoteDraft:
    portal = _ctx(request)
    return builder_selectors.member_quote_draft_get(portal.member, draft_id,
                                                    account_id=portal.account.pk)


def _save(request: HttpRequest, draft: QuoteDraft | None) -> HttpResponse:
    portal = _ctx(request)
    lines = _posted_lines(request)
    note = request.POST.get("note", "")
    try:
        saved = builder.member_quote_draft_save(member=portal.member,
                                                membership=portal.membership, lines=lines,
                                                note=note, draft=draft)
    except ValidationError as error:
        return _builder(request, draft=draft, rows=_rows(lines), note=note, error=error,
                        status=400)
    messages.success(request, _("Your draft was saved."))
    return redirect("portal:quote_draft", draft_id=saved.pk)


def _submit(request: HttpRequest, draft: QuoteDraft | None) -> HttpResponse:
    portal = _ctx(request)
    lines = _posted_lines(request)
    note = request.POST.get("note", "")
    try:
        quote = builder.member_quote_request_submit(
            member=portal.member, membership=portal.membership, lines=lines, note=note,
            draft=draft)
    except ValidationError as error:
        return _builder(request, draft=draft, rows=_rows(lines), note=note, error=error,
                        status=400)
    messages.success(request, _("Thank you: we received your quote request %(number)s and "
                                "will send you our quote.") % {"number": quote.number})
    return redirect("portal:quote_detail", quote_id=quote.pk)


@require_POST
@member_required
def quote_draft_create(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@require_POST
@member_required
def quote_draft_update(request: HttpRequest, draft_id: int) -> HttpResponse:
    return _save(request, _draft_of(request, draft_id))


@require_POST
@member_required
def quote_request_submit(request: HttpRequest) -> HttpResponse:
    return _submit(request, None)


@require_POST
@member_required
def quote_draft_submit(request: HttpRequest, draft_id: int) -> HttpResponse:
    return _submit(request, _draft_of(request, draft_id))


@require_POST
@member_required
def quote_draft_delete(request: HttpRequest, draft_id: int) -> HttpResponse:
    builder.member_quote_draft_delete(member=_ctx(request).member,
                                      draft=_draft_of(request, draft_id))
    messages.success(request, _("The draft was deleted."))
    return redirect("portal:quote_list")


# --- one quote ---------------------------------------------------------------------------

@require_GET
@member_required
def quote_detail(request: HttpRequest, quote_id: int) -> HttpResponse:
    scope = _ctx(request).scope
    quote = selectors.member_quote_get(scope, quote_id)
    return render(request, "portal/quote_detail.html", _base(
        request, quote=quote, lines=list(quote.lines.all()),
        revisions=builder_selectors.member_quote_revisions(scope, quote),
        order=builder_selectors.member_quote_order(scope, quote),
        may_decide=builder_selectors.quote_awaits_answer(quote),
    ))


@require_GET
@member_required
def quote_pdf(request: HttpRequest, quote_id: int) -> HttpResponse:
    """The quote's PDF, for a quote the member sees (404 otherwise)."""
    quote = selectors.member_quote_get(_ctx(request).scope, quote_id)
    response = HttpResponse(render_quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{quote.number}-rev{quote.revision}.pdf"')
    return response


def _decision_failed(request: HttpRequest, error: ValidationError) -> None:
    for problems in getattr(error, "message_dict", {"": error.messages}).values():
        for problem in problems:
            messages.error(request, problem)


@require_POST
@member_required
def quote_accept(request: HttpRequest, quote_id: int) -> HttpResponse:
    portal = _ctx(request)
    try:
        accepted = builder.member_quote_accept(
            member=portal.member, quote_id=quote_id, name=request.POST.get("name", ""),
            ip_address=client_ip(request) or None, scope=portal.scope)
    except ValidationError as error:
        _decision_failed(request, error)
    else:
        messages.success(request, _("Thank you: you accepted the quote; your order is "
                                    "%(number)s.") % {"number": accepted.order.number})
    return redirect("portal:quote_detail", quote_id=quote_id)


@require_POST
@member_required
def quote_reject(request: HttpRequest, quote_id: int) -> HttpResponse:
    portal = _ctx(request)
    try:
        builder.member_quote_reject(member=portal.member, quote_id=quote_id,
                                    reason=request.POST.get("reason", ""), scope=portal.scope)
    except ValidationError as error:
        _decision_failed(request, error)
    else:
        messages.success(request, _("You rejected the quote. Thank you for telling us why."))
    return redirect("portal:quote_detail", quote_id=quote_id)
