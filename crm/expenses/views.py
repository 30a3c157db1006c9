"""Expense pages under /crm/expenses/: the list (the shared FilterSet), a request's detail
with its approval trail and actions, the form, the approvals waiting for the viewer, and
the expense-to-revenue ratios. One view per action; the rules are in services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.core.decorators import capability_required, staff_required
from crm.core.files import file_url
from crm.core.forms import apply_service_errors
from crm.core.pagination import page_of
from crm.expenses import forms, selectors, services
from crm.expenses.files import RECEIPT_KIND
from crm.expenses.filters import ExpenseFilter
from crm.expenses.models import Expense, ExpenseCategory, ExpenseStatus
from tenants.users.permissions import Capability, can

edit_required = capability_required(Capability.EDIT_RECORDS)


@require_GET
@staff_required
def expense_list(request: HttpRequest) -> HttpResponse:
    filters = ExpenseFilter(request.GET or None,
                            queryset=selectors.expense_list(viewer=request.user))
    queryset = filters.qs if filters.is_bound and filters.is_valid() else filters.queryset
    return render(request, "crm/expenses/expense_list.html", {
        "filters": filters, "page": page_of(queryset, request),
        "statuses": ExpenseStatus.choices, "categories": ExpenseCategory.choices,
        "chosen_statuses": request.GET.getlist("status"),
        "can_edit": can(request.user, Capability.EDIT_RECORDS),
    })


def _detail(request: HttpRequest, expense: Expense, *, status: int = 200,
            reject_form: forms.RejectForm | None = None) -> HttpResponse:
    trail = list(selectors.expense_approval_trail(expense=expense))
    pending = next((step for step in trail if step.decision == "pending"), None)
    may_decide = (pending is not None and expense.status == ExpenseStatus.SUBMITTED
                  and request.user.pk != expense.owner_id
                  and any(user.pk == request.user.pk for user in pending.candidates.all()))
    mine = request.user.pk in (expense.owner_id, expense.created_by_id)
    return render(request, "crm/expenses/expense_detail.html", {
        "expense": expense, "trail": trail, "pending": pending, "may_decide": may_decide,
        "may_edit": mine and expense.status in services.EDITABLE,
        "may_reimburse": (can(request.user, Capability.MANAGE_FINANCE)
                          and expense.status == ExpenseStatus.APPROVED),
        "receipt_url": file_url(kind=RECEIPT_KIND, object_id=expense.pk)
        if expense.receipt else "",
        "reject_form": reject_form or forms.RejectForm(),
        "approve_form": forms.ApproveForm(),
    }, status=status)


@require_GET
@staff_required
def expense_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.expense_get_for(viewer=request.user, expense_id=pk))


def _form(request: HttpRequest, expense: Expense | None) -> HttpResponse:
    initial: dict[str, Any] = {"spent_on": timezone.localdate(),
                               "currency": getattr(connection.tenant, "currency", "USD")}
    if expense is not None:
        initial = {"amount": expense.amount.normalize(), "currency": expense.currency,
                   "category": expense.category, "spent_on": expense.spent_on,
                   "account": expense.account, "opportunity": expense.opportunity,
                   "description": expense.description}
    form = forms.ExpenseForm(request.POST or None, request.FILES or None, initial=initial,
                             viewer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if expense is None:
                saved = services.expense_create(actor=request.user, **form.service_values())
            else:
                saved = services.expense_update(expense=expense, actor=request.user,
                                                **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Expense saved."))
            return redirect("crm_expenses:expense_detail", pk=saved.pk)
    return render(request, "crm/expenses/expense_form.html", {"form": form,
                                                              "expense": expense},
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@edit_required
def expense_create(request: HttpRequest) -> HttpResponse:
    return _form(request, None)


@require_http_methods(["GET", "POST"])
@edit_required
def expense_edit(request: HttpRequest, pk: int) -> HttpResponse:
    expense = selectors.expense_get_for(viewer=request.user, expense_id=pk)
    if request.user.pk not in (expense.owner_id, expense.created_by_id) or \
            expense.status not in services.EDITABLE:
        raise PermissionDenied
    return _form(request, expense)


def _act(request: HttpRequest, pk: int, command: Any, done: str, **kwargs: Any
         ) -> HttpResponse:
    expense = selectors.expense_get_for(viewer=request.user, expense_id=pk)
    try:
        command(expense=expense, actor=request.user, **kwargs)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("crm_expenses:expense_detail", pk=expense.pk)


@require_POST
@staff_required
def expense_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.expense_submit, _("Expense submitted for approval."))


@require_POST
@staff_required
def expense_approve(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.ApproveForm(request.POST)
    comment = form.cleaned_data.get("comment", "") if form.is_valid() else ""
    return _act(request, pk, services.expense_approve, _("Expense approved."),
                comment=comment)


@require_POST
@staff_required
def expense_reject(request: HttpRequest, pk: int) -> HttpResponse:
    expense = selectors.expense_get_for(viewer=request.user, expense_id=pk)
    form = forms.RejectForm(request.POST)
    if form.is_valid():
        try:
            services.expense_reject(expense=expense, actor=request.user,
                                    comment=form.cleaned_data["comment"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Expense rejected."))
            return redirect("crm_expenses:expense_detail", pk=expense.pk)
    return _detail(request, expense, status=400, reject_form=form)


@require_POST
@capability_required(Capability.MANAGE_FINANCE)
def expense_reimburse(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.expense_reimburse, _("Expense marked reimbursed."))


@require_GET
@staff_required
def approval_list(request: HttpRequest) -> HttpResponse:
    return render(request, "crm/expenses/approval_list.html", {
        "expenses": selectors.expense_awaiting(viewer=request.user)[:200],
    })


@require_GET
@staff_required
def ratios(request: HttpRequest) -> HttpResponse:
    return render(request, "crm/expenses/ratios.html", {
        "by_rep": selectors.expense_ratio_by_rep(viewer=request.user),
        "by_opportunity": selectors.expense_ratio_by_opportunity(viewer=request.user),
    })
