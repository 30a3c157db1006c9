"""Order pages under /crm/orders/: the list (shared FilterSet, COUNT-free pages), the detail
(lines, totals, the approval trail, deliveries with serial numbers, revisions, the quote),
draft create/edit, one view per action (submit, approve, reject, deliver, amend), the
approvals inbox, and the order settings (approval chain, renewal lead) for administrators.
Every record is fetched through crm.orders.selectors.order_get_for."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.core.decorators import capability_required
from crm.core.forms import apply_service_errors
from crm.core.navigation import SALES_READERS
from crm.core.pagination import page_of
from crm.orders import forms, selectors, services
from crm.orders.filters import OrderFilter
from crm.orders.models import Order, OrderStatus
from crm.orders.services import settings as order_settings
from crm.orders.services.amendment import open_amendment
from crm.orders.services.delivery import DELIVERABLE, DeliveryInput
from crm.orders.services.editing import LineRequest
from tenants.users.permissions import Capability, can

edit_required = capability_required(Capability.EDIT_RECORDS)
settings_required = capability_required(Capability.MANAGE_SETTINGS)
staff_view = capability_required(Capability.USE_CRM)


def readers_required(view: Any) -> Any:
    """Users who work sales or read every record (the same rule as the selector)."""
    @staff_view
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not any(can(request.user, capability) for capability in SALES_READERS):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_GET
@readers_required
def order_list(request: HttpRequest) -> HttpResponse:
    filters = OrderFilter(request.GET or None,
                          queryset=selectors.order_list(viewer=request.user))
    queryset = filters.qs if filters.is_bound and filters.is_valid() else filters.queryset
    return render(request, "crm/orders/order_list.html", {
        "filters": filters, "page": page_of(queryset.order_by("-ordered_on", "-pk"), request),
        "statuses": OrderStatus.choices, "chosen": request.GET.getlist("status"),
        "can_edit": can(request.user, Capability.EDIT_RECORDS),
    })


@require_GET
@readers_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get_for(viewer=request.user, order_id=pk)
    may_edit = can(request.user, Capability.EDIT_RECORDS)
    amendment = open_amendment(order) if order.status in selectors.IN_FORCE else None
    open_lines = [line for line in order.lines.all() if line.delivered_quantity < line.quantity]
    return render(request, "crm/orders/order_detail.html", {
        "order": order, "lines": order.lines.all(), "trail": selectors.approval_trail(order),
        "revisions": selectors.order_revisions(order),
        "deliveries": selectors.order_deliveries(order),
        "may_edit": may_edit and order.status == OrderStatus.DRAFT,
        "may_submit": may_edit and order.status == OrderStatus.DRAFT,
        "may_decide": selectors.may_decide(order, request.user),
        "may_deliver": (may_edit and order.status in DELIVERABLE and amendment is None
                        and bool(open_lines)),
        "may_amend": may_edit and order.status in selectors.IN_FORCE,
        "open_amendment": amendment, "open_lines": open_lines,
        "approve_form": forms.ApproveForm(), "reject_form": forms.RejectForm(),
    })


def _line_requests(formset: Any) -> list[LineRequest]:
    return [form.request() for form in formset.forms
            if form.is_valid() and not form.is_blank()]


def _order_form(request: HttpRequest, order: Order | None) -> HttpResponse:
    initial: dict[str, Any] = {"currency": selectors.tenant_currency(), "kind": "order"}
    if order is not None:
        initial = {"kind": order.kind, "currency": order.currency,
                   "contact": order.contact_id, "ordered_on": order.ordered_on,
                   "starts_on": order.starts_on, "ends_on": order.ends_on,
                   "renewal_on": order.renewal_on,
                   "discount_percent": order.discount_percent.normalize(),
                   "delivery_terms": order.delivery_terms,
                   "payment_terms": order.payment_terms}
    elif request.GET.get("account"):
        initial["account"] = request.GET.get("account")
    data = request.POST if request.method == "POST" else None
    form = forms.OrderForm(data, viewer=request.user, order=order, initial=initial)
    formset = forms.LineFormSet(data, prefix="lines",
                                initial=forms.line_initial(order) if order else None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        values = form.cleaned_data
        account = order.account if order is not None else values["account"]
        try:
            lines = services.line_inputs(account=account, currency=values["currency"],
                                         requests=_line_requests(formset))
            header = {
                "kind": values["kind"], "contact": values.get("contact"),
                "ordered_on": values.get("ordered_on"),
                "delivery_terms": values.get("delivery_terms") or "",
                "payment_terms": values.get("payment_terms") or "",
                "starts_on": values.get("starts_on"), "ends_on": values.get("ends_on"),
                "renewal_on": values.get("renewal_on"),
                "discount_percent": values.get("discount_percent") or Decimal(0),
            }
            if order is None:
                saved = services.order_create(account=account, actor=request.user,
                                              currency=values["currency"], lines=lines,
                                              **header)
            else:
                saved = services.order_update(order=order, actor=request.user,
                                              currency=values["currency"], lines=lines,
                                              **header)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Order saved."))
            return redirect("crm_orders:order_detail", pk=saved.pk)
    return render(request, "crm/orders/order_form.html", {
        "form": form, "formset": formset, "order": order,
    }, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@edit_required
def order_create(request: HttpRequest) -> HttpResponse:
    if not any(can(request.user, capability) for capability in SALES_READERS):
        raise PermissionDenied
    return _order_form(request, None)


@require_http_methods(["GET", "POST"])
@edit_required
def order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get_for(viewer=request.user, order_id=pk)
    if order.status != OrderStatus.DRAFT:
        messages.error(request, _("Only a draft can be edited; an approved order changes "
                                  "through an amendment."))
        return redirect("crm_orders:order_detail", pk=order.pk)
    return _order_form(request, order)


def _act(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    order = selectors.order_get_for(viewer=request.user, order_id=pk)
    try:
        result = action(order)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not do that."))
    else:
        messages.success(request, done)
        if isinstance(result, Order):
            return redirect("crm_orders:order_detail", pk=result.pk)
    return redirect("crm_orders:order_detail", pk=order.pk)


@require_POST
@edit_required
def order_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda order: services.order_submit(order=order,
                                                                 actor=request.user),
                _("Order submitted."))


@require_POST
@staff_view
def order_approve(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.ApproveForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _act(request, pk, lambda order: services.order_approve(
        order=order, actor=request.user, comment=comment), _("Approved."))


@require_POST
@staff_view
def order_reject(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.RejectForm(request.POST)
    if not form.is_valid():
        selectors.order_get_for(viewer=request.user, order_id=pk)
        messages.error(request, _("Say why you reject it."))
        return redirect("crm_orders:order_detail", pk=pk)
    return _act(request, pk, lambda order: services.order_reject(
        order=order, actor=request.user, comment=form.cleaned_data["comment"]),
        _("Rejected: the order is back with its author."))


@require_POST
@edit_required
def order_amend(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda order: services.order_amend(order=order,
                                                                actor=request.user),
                _("Amendment created: edit it and submit it for approval."))


def _delivery_inputs(request: HttpRequest, order: Order) -> list[DeliveryInput]:
    items = []
    for line in order.lines.all():
        raw = (request.POST.get(f"quantity_{line.pk}") or "").strip()
        if not raw:
            continue
        try:
            quantity = Decimal(raw)
        except InvalidOperation:
            raise ValidationError(_("Line %(number)s: enter a number.")
                                  % {"number": line.position}) from None
        if not quantity.is_finite():
            raise ValidationError(_("Line %(number)s: enter a number.")
                                  % {"number": line.position})
        if quantity == 0:
            continue
        serials = (request.POST.get(f"serials_{line.pk}") or "").replace(",", "\n").split()
        items.append(DeliveryInput(line=line, quantity=quantity, serial_numbers=serials))
    return items


@require_POST
@edit_required
def order_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get_for(viewer=request.user, order_id=pk)
    try:
        services.order_deliver(order=order, actor=request.user,
                               deliveries=_delivery_inputs(request, order))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Delivery recorded."))
    return redirect("crm_orders:order_detail", pk=order.pk)


@require_GET
@readers_required
def approval_inbox(request: HttpRequest) -> HttpResponse:
    orders = list(selectors.order_approval_inbox(viewer=request.user)[:200])
    rows = [{"order": order, "step": selectors.pending_approval_of(order)} for order in orders]
    return render(request, "crm/orders/approval_inbox.html", {"rows": rows})


# --- settings (administrators) --------------------------------------------------------

@require_http_methods(["GET", "POST"])
@settings_required
def settings_page(request: HttpRequest) -> HttpResponse:
    current = selectors.order_settings_get()
    form = forms.OrderSettingsForm(request.POST or None,
                                   initial={"renewal_lead_days": current.renewal_lead_days})
    if request.method == "POST" and form.is_valid():
        try:
            order_settings.order_settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Order settings saved."))
            return redirect("crm_orders:settings")
    return render(request, "crm/orders/settings.html", {
        "form": form, "steps": selectors.approval_chain_steps(),
        "currency": selectors.tenant_currency(),
    }, status=400 if form.errors else 200)


def _step_form(request: HttpRequest, step: Any | None) -> HttpResponse:
    form = forms.ChainStepForm(request.POST or None, instance=step)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data.get(name) for name in forms.ChainStepForm.Meta.fields}
        values["role"] = values.get("role") or ""
        try:
            if step is None:
                order_settings.approval_chain_step_create(actor=request.user, **values)
            else:
                order_settings.approval_chain_step_update(step=step, actor=request.user,
                                                          **values)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Approval step saved."))
            return redirect("crm_orders:settings")
    return render(request, "crm/orders/step_form.html", {
        "form": form, "step": step, "currency": selectors.tenant_currency(),
    }, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@settings_required
def step_create(request: HttpRequest) -> HttpResponse:
    return _step_form(request, None)


@require_http_methods(["GET", "POST"])
@settings_required
def step_edit(request: HttpRequest, step_id: int) -> HttpResponse:
    return _step_form(request, selectors.approval_chain_step_get(step_id))


@require_POST
@settings_required
def step_delete(request: HttpRequest, step_id: int) -> HttpResponse:
    step = selectors.approval_chain_step_get(step_id)
    order_settings.approval_chain_step_delete(step=step, actor=request.user)
    messages.success(request, _("Approval step removed."))
    return redirect("crm_orders:settings")
