"""Quote pages under /crm/quotes/: list, detail (lines, totals, revisions, approval trail,
actions), the editor (totals asked from the server as you type), the approval inbox, the
PDF and the quote settings. Adapters only: every rule is in crm.quotes.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.accounts.models import Account
from crm.accounts.selectors import account_get_for
from crm.core.decorators import capability_required, staff_required
from crm.core.forms import apply_service_errors
from crm.core.pagination import page_of
from crm.quotes import selectors, services
from crm.quotes.filters import QuoteFilter
from crm.quotes.forms import (
    AcceptForm,
    CommentForm,
    QuoteHeaderForm,
    QuoteLineFormSet,
    QuoteSettingsForm,
)
from crm.quotes.models import Quote, QuoteStatus
from crm.quotes.pdf import render_quote_pdf
from crm.quotes.services.status import EDITABLE_IN_PLACE, REVISABLE, TRANSITIONS
from tenants.users.permissions import Capability, can

edit_required = capability_required(Capability.EDIT_RECORDS)
settings_required = capability_required(Capability.MANAGE_SETTINGS)


def _plain(value: Any) -> str | None:
    """A Decimal for a form field without trailing zeros or an exponent ("20", "12.5")."""
    return None if value is None else format(value.normalize(), "f")


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, PermissionDenied):
        return str(error) or _("You may not do this.")
    return " ".join(error.messages)


@require_GET
@staff_required
def quote_list(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    if "current" not in data:
        data["current"] = "true"
    filters = QuoteFilter(data, queryset=selectors.quote_list(viewer=request.user))
    queryset = filters.qs if filters.is_valid() else filters.queryset
    return render(request, "crm/quotes/quote_list.html", {
        "filters": filters, "page": page_of(queryset, request),
        "statuses": QuoteStatus.choices, "chosen": data.getlist("status"),
        "can_edit": can(request.user, Capability.EDIT_RECORDS),
    })


@require_GET
@staff_required
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_get_for(request.user, pk)
    allowed = TRANSITIONS.get(quote.status, frozenset())
    can_edit = can(request.user, Capability.EDIT_RECORDS)
    approvals = list(selectors.quote_approvals(quote=quote))
    pending = next((a for a in approvals if a.decision == "pending"), None)
    may_decide = pending is not None and pending.requested_by_id != request.user.pk and any(
        person.pk == request.user.pk for person in pending.candidates.all())
    return render(request, "crm/quotes/quote_detail.html", {
        "quote": quote, "lines": list(quote.lines.all()),
        "revisions": selectors.quote_revisions(viewer=request.user, quote=quote),
        "approvals": approvals, "pending": pending, "may_decide": may_decide,
        "max_discount": services.quote_max_discount(quote),
        "can_edit": can_edit and quote.status in EDITABLE_IN_PLACE | REVISABLE,
        "can_submit": can_edit and quote.status in {QuoteStatus.DRAFT, QuoteStatus.REQUESTED},
        "can_send": can_edit and QuoteStatus.SENT in allowed,
        "can_decide_customer": can_edit and quote.status == QuoteStatus.SENT,
        "can_revise": can_edit and quote.status in REVISABLE,
        "comment_form": CommentForm(), "accept_form": AcceptForm(),
    })


def _editor(request: HttpRequest, quote: Quote | None, account: Account | None
            ) -> HttpResponse:
    viewer = request.user
    initial: dict[str, Any] = {}
    lines_initial: list[dict[str, Any]] = []
    if quote is not None:
        initial = {"account": quote.account_id, "contact": quote.contact_id,
                   "opportunity": quote.opportunity_id, "currency": quote.currency,
                   "valid_until": quote.valid_until, "language": quote.language,
                   "discount_percent": _plain(quote.discount_percent), "terms": quote.terms,
                   "note": quote.note}
        lines_initial = [{
            "product": line.product_id, "description": line.description,
            "quantity": _plain(line.quantity),
            "unit_price": _plain(line.unit_price) if line.price_overridden
            or line.product_id is None else None,
            "discount_percent": _plain(line.discount_percent),
            "tax_rate": _plain(line.tax_rate) if line.tax_overridden else None,
        } for line in quote.lines.all()]
    elif account is not None:
        initial = {"account": account.pk}
    header = QuoteHeaderForm(request.POST or None, initial=initial, viewer=viewer,
                             account=quote.account if quote else account,
                             fixed_account=quote is not None)
    formset = QuoteLineFormSet(request.POST or None, initial=lines_initial or None,
                               prefix="lines", viewer=viewer)
    if request.method == "POST" and header.is_valid() and formset.is_valid():
        data = header.cleaned_data
        try:
            if quote is None:
                saved = services.quote_create(
                    account=data["account"], actor=viewer, lines=formset.line_inputs(),
                    opportunity=data.get("opportunity"), contact=data.get("contact"),
                    currency=data.get("currency") or None,
                    valid_until=data.get("valid_until"), terms=data.get("terms") or None,
                    language=data.get("language") or "",
                    discount_percent=data.get("discount_percent") or 0,
                    note=data.get("note") or "")
            else:
                saved = services.quote_update(
                    quote=quote, actor=viewer, lines=formset.line_inputs(),
                    contact=data.get("contact"), opportunity=data.get("opportunity"),
                    valid_until=data.get("valid_until"), terms=data.get("terms") or "",
                    language=data.get("language") or "",
                    discount_percent=data.get("discount_percent") or 0,
                    note=data.get("note") or "")
        except ValidationError as error:
            apply_service_errors(header, error)
        except PermissionDenied:
            raise
        else:
            if quote is not None and saved.pk != quote.pk:
                messages.success(request, _("Saved as revision %(revision)s.") % {
                    "revision": saved.revision})
            else:
                messages.success(request, _("Quote saved."))
            return redirect("crm_quotes:quote_detail", pk=saved.pk)
    return render(request, "crm/quotes/quote_form.html", {
        "quote": quote, "form": header, "formset": formset,
        "makes_revision": quote is not None and quote.status in REVISABLE,
    }, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@edit_required
def quote_create(request: HttpRequest) -> HttpResponse:
    account = None
    account_id = request.GET.get("account") or request.POST.get("account")
    if account_id:
        try:
            account = account_get_for(viewer=request.user, account_id=account_id)
        except Http404:
            account = None
    return _editor(request, None, account)


@require_http_methods(["GET", "POST"])
@edit_required
def quote_edit(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_get_for(request.user, pk)
    if quote.status not in EDITABLE_IN_PLACE | REVISABLE:
        messages.error(request, _("A superseded quote cannot change."))
        return redirect("crm_quotes:quote_detail", pk=quote.pk)
    return _editor(request, quote, None)


@require_POST
@staff_required
def quote_totals(request: HttpRequest) -> HttpResponse:
    """The editor's live totals: the pricing service and the totals rule, nothing saved."""
    viewer = request.user
    quote = None
    if request.POST.get("quote"):
        quote = selectors.quote_get_for(viewer, request.POST["quote"])
    header = QuoteHeaderForm(request.POST, viewer=viewer,
                             account=quote.account if quote else None)
    formset = QuoteLineFormSet(request.POST, prefix="lines", viewer=viewer)
    context: dict[str, Any] = {"preview": None, "error": ""}
    header.is_valid()
    formset.is_valid()
    account = quote.account if quote else header.cleaned_data.get("account")
    currency = (quote.currency if quote else header.cleaned_data.get("currency")) or ""
    inputs = formset.line_inputs()
    if formset.total_error_count() or "discount_percent" in header.errors:
        context["error"] = _("Check the highlighted values.")
    elif not inputs:
        context["error"] = _("Add a line to see the totals.")
    else:
        try:
            context["preview"] = services.quote_totals_preview(
                account=account, currency=currency.upper(), lines=inputs,
                discount_percent=header.cleaned_data.get("discount_percent") or 0,
                quote=quote)
            preview = context["preview"]
            context["currency"] = preview.totals.currency
            context["rows"] = list(zip(preview.lines, preview.totals.lines,
                                       preview.effective_discounts, strict=True))
        except ValidationError as error:
            context["error"] = _error_text(error)
    return render(request, "crm/quotes/_totals.html", context)


def _act(request: HttpRequest, pk: int, run: Any, done: str) -> HttpResponse:
    quote = selectors.quote_get_for(request.user, pk)
    try:
        result = run(quote)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
        return redirect("crm_quotes:quote_detail", pk=quote.pk)
    messages.success(request, done)
    target = result.pk if isinstance(result, Quote) else quote.pk
    return redirect("crm_quotes:quote_detail", pk=target)


def _comment(request: HttpRequest) -> str:
    form = CommentForm(request.POST)
    return form.cleaned_data.get("comment", "") if form.is_valid() else ""


@require_POST
@edit_required
def quote_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda q: services.quote_submit(quote=q, actor=request.user),
                _("Quote submitted."))


@require_POST
@staff_required
def quote_approve(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request)
    return _act(request, pk, lambda q: services.quote_approve(
        quote=q, actor=request.user, comment=comment), _("Discount approved."))


@require_POST
@staff_required
def quote_reject(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request)
    return _act(request, pk, lambda q: services.quote_reject(
        quote=q, actor=request.user, comment=comment), _("Quote rejected."))


@require_POST
@edit_required
def quote_send(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda q: services.quote_send(quote=q, actor=request.user),
                _("Quote sent."))


@require_POST
@edit_required
def quote_accept(request: HttpRequest, pk: int) -> HttpResponse:
    form = AcceptForm(request.POST)
    name = form.cleaned_data.get("name", "") if form.is_valid() else ""
    return _act(request, pk, lambda q: services.quote_accept(
        quote=q, actor=request.user, name=name,
        ip_address=request.META.get("REMOTE_ADDR")).quote,
        _("Quote accepted: the order was created."))


@require_POST
@edit_required
def quote_revise(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda q: services.quote_revise(quote=q, actor=request.user),
                _("New revision created."))


@require_GET
@staff_required
def quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_get_for(request.user, pk)
    response = HttpResponse(render_quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.number}-rev{quote.revision}.pdf"'
    return response


@require_GET
@staff_required
def approval_inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "crm/quotes/approval_inbox.html", {
        "rows": selectors.quote_approval_inbox(viewer=request.user)})


@require_http_methods(["GET", "POST"])
@settings_required
def quote_settings(request: HttpRequest) -> HttpResponse:
    current = selectors.quote_settings_get()
    form = QuoteSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.quote_settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Quote settings saved."))
            return redirect("crm_quotes:quote_settings")
    return render(request, "crm/quotes/quote_settings.html", {"form": form})
