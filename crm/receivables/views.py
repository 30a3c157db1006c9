"""Receivables pages under /crm/receivables/: the aging report (by rep and by account, a
chart beside an accessible table, each figure a link to the instalments behind it), the
instalment list, an order's schedule and payments, and the reminder days (admins).
Adapters only: the rules are in crm.receivables.services, the reads in selectors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.core.decorators import capability_required, staff_required
from crm.core.forms import apply_service_errors
from crm.core.money import round_money
from crm.core.pagination import page_of
from crm.core.visibility import team_member_ids
from crm.orders.models import Order
from crm.receivables import forms, selectors, services
from tenants.users.permissions import Capability, can


def _require_receivables(request: HttpRequest) -> None:
    if not selectors.sees_receivables(request.user):
        raise PermissionDenied


def _chart(report: selectors.AgingReport) -> dict[str, Any]:
    """The chart's figures: the rows of the first currency, stacked by bucket."""
    currency = report.totals[0].currency if report.totals else ""
    rows = [row for row in report.rows if row.currency == currency][:15]
    return {"currency": currency, "labels": [row.label for row in rows],
            "datasets": [{"label": str(label),
                          "data": [str(round_money(row.buckets.get(key, Decimal(0)),
                                                   currency)) for row in rows]}
                         for key, label in selectors.BUCKETS]}


@require_GET
@staff_required
def aging(request: HttpRequest) -> HttpResponse:
    _require_receivables(request)
    form = forms.AgingForm(request.GET or None)
    as_of = (form.cleaned_data.get("as_of") if form.is_bound and form.is_valid() else None) \
        or selectors.tenant_today()
    group_by = form.group() if form.is_bound else "rep"
    report = selectors.aging_report(viewer=request.user, as_of=as_of, group_by=group_by)
    return render(request, "crm/receivables/aging.html", {
        "form": form, "report": report, "as_of": as_of, "group_by": group_by,
        "buckets": selectors.BUCKETS, "chart": _chart(report),
        "can_configure": can(request.user, Capability.MANAGE_SETTINGS),
    })


@require_GET
@staff_required
def instalment_list(request: HttpRequest) -> HttpResponse:
    _require_receivables(request)
    form = forms.InstalmentFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    rep = data.get("rep", "")
    filters = selectors.AgingFilters(
        as_of=data.get("as_of") or selectors.tenant_today(), bucket=data.get("bucket", ""),
        rep=int(rep) if rep and rep != "none" else None, no_rep=rep == "none",
        account=data.get("account"), currency=data.get("currency", ""),
        owners=team_member_ids(data["team"]) if data.get("team") else None)
    instalments = selectors.aging_instalments(viewer=request.user, filters=filters)
    totals = (instalments.order_by().values("order__currency")
              .annotate(open=Sum("outstanding")).order_by("order__currency"))
    labels = dict(selectors.BUCKETS)
    page = page_of(instalments, request)
    for row in page["rows"]:
        row.bucket_label = labels.get(row.bucket, "")
    return render(request, "crm/receivables/instalment_list.html", {
        "form": form, "filters": filters, "page": page, "totals": list(totals),
        "bucket_label": labels.get(filters.bucket, ""),
    })


def _order_page(request: HttpRequest, order: Order, *, status: int = 200,
                payment_form: forms.PaymentForm | None = None,
                split_form: forms.SplitForm | None = None,
                formset: Any | None = None,
                schedule_errors: list[str] | None = None) -> HttpResponse:
    instalments = selectors.schedule_of(order=order)
    open_instalments = [i for i in instalments if i.paid_amount < i.amount]
    may_pay = can(request.user, Capability.MANAGE_FINANCE)
    may_schedule = can(request.user, Capability.EDIT_RECORDS)
    today = selectors.tenant_today()
    if formset is None and may_schedule:
        formset = forms.InstalmentFormSet(initial=[
            {"id": i.pk, "due_on": i.due_on, "amount": round_money(i.amount, order.currency),
             "label": i.label} for i in instalments], prefix="instalments")
    return render(request, "crm/receivables/order.html", {
        "order": order, "instalments": instalments, "today": today,
        "balance": selectors.order_balance(order=order, as_of=today),
        "payments": selectors.payments_of(order=order),
        "may_pay": may_pay and order.status in selectors.RECEIVABLE_STATUSES,
        "may_schedule": may_schedule and order.status in selectors.SCHEDULABLE_STATUSES,
        "payment_form": payment_form or (forms.PaymentForm(
            instalments=open_instalments, initial={"paid_on": today}) if may_pay else None),
        "split_form": split_form or (forms.SplitForm(initial={"first_due_on": today})
                                     if may_schedule else None),
        "formset": formset, "schedule_errors": schedule_errors or [],
    }, status=status)


@require_GET
@staff_required
def order_receivables(request: HttpRequest, order_id: int) -> HttpResponse:
    return _order_page(request, selectors.order_get_for(viewer=request.user,
                                                         order_id=order_id))


@require_POST
@capability_required(Capability.EDIT_RECORDS)
def schedule_split(request: HttpRequest, order_id: int) -> HttpResponse:
    order = selectors.order_get_for(viewer=request.user, order_id=order_id)
    form = forms.SplitForm(request.POST)
    if form.is_valid():
        try:
            services.schedule_set(order=order, actor=request.user,
                                  instalments=services.schedule_split(order=order,
                                                                      **form.cleaned_data))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Payment schedule saved."))
            return redirect("crm_receivables:order_receivables", order_id=order.pk)
    return _order_page(request, order, status=400, split_form=form)


@require_http_methods(["POST"])
@capability_required(Capability.EDIT_RECORDS)
def schedule_edit(request: HttpRequest, order_id: int) -> HttpResponse:
    order = selectors.order_get_for(viewer=request.user, order_id=order_id)
    formset = forms.InstalmentFormSet(request.POST, prefix="instalments")
    if formset.is_valid():
        items = [services.InstalmentInput(due_on=row["due_on"], amount=row["amount"],
                                          label=row.get("label") or "", id=row.get("id"))
                 for row in formset.cleaned_data
                 if row and not row.get("DELETE")]
        try:
            services.schedule_set(order=order, instalments=items, actor=request.user)
        except ValidationError as error:
            return _order_page(request, order, status=400, formset=formset,
                               schedule_errors=error.messages)
        messages.success(request, _("Payment schedule saved."))
        return redirect("crm_receivables:order_receivables", order_id=order.pk)
    return _order_page(request, order, status=400, formset=formset)


@require_POST
@capability_required(Capability.MANAGE_FINANCE)
def payment_add(request: HttpRequest, order_id: int) -> HttpResponse:
    order = selectors.order_get_for(viewer=request.user, order_id=order_id)
    open_instalments = [i for i in selectors.schedule_of(order=order)
                        if i.paid_amount < i.amount]
    form = forms.PaymentForm(request.POST, instalments=open_instalments)
    if form.is_valid():
        try:
            services.payment_record(order=order, amount=form.cleaned_data["amount"],
                                    paid_on=form.cleaned_data["paid_on"], actor=request.user,
                                    instalment=form.cleaned_data.get("instalment"),
                                    reference=form.cleaned_data.get("reference") or "")
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Payment recorded."))
            return redirect("crm_receivables:order_receivables", order_id=order.pk)
    return _order_page(request, order, status=400, payment_form=form)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_SETTINGS)
def receivables_settings(request: HttpRequest) -> HttpResponse:
    current = selectors.receivables_settings_get()
    form = forms.ReceivablesSettingsForm(request.POST or None, initial={
        "remind_days_before": current.remind_days_before,
        "remind_days_after": current.remind_days_after})
    if request.method == "POST" and form.is_valid():
        try:
            services.receivables_settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Reminder days saved."))
            return redirect("crm_receivables:settings")
    return render(request, "crm/receivables/settings.html", {"form": form})
