"""Expense request commands: create and edit (draft or rejected), submit, approve, reject,
reimburse; the receipt check.

Rules (issue 9):
- Statuses: draft -> submitted -> approved -> reimbursed, or submitted -> rejected; a
  rejected request is edited and submitted again (a new approval round; the earlier rounds
  stay in the trail).
- Approval by authority limits through the one approval trail (crm.core.approvals): an
  amount within the approval limit (``crm.staff.selectors.role_approval_limit``) of a manager
  of the spender's teams goes to those managers; above it, or when the spender has no such
  manager, to the next level, the administrators whose limit covers it. Limits are in the
  workspace currency; an expense in another currency is above every finite limit (no
  conversion). Nobody approves their own request; rejection needs a comment.
- Only the spender (or who entered it) edits and submits; finance
  (``Capability.MANAGE_FINANCE``, admins) marks approved requests reimbursed.
- A receipt is a PDF, PNG, JPEG or WebP file by its content (not its name or declared type),
  at most 5 MB, stored in the tenant's protected storage and served only through
  crm.core.files to those who may see the request.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Account
from crm.core.approvals import approval_decide, approval_open, next_round, pending_step
from crm.core.audit import audit_event
from crm.core.money import currency_is_known, is_whole_money, round_money, to_decimal
from crm.core.notifications import notify
from crm.core.numbering import next_number
from crm.core.visibility import manages_user
from crm.expenses.models import Expense, ExpenseCategory, ExpenseStatus
from crm.sales.models import Opportunity
from crm.staff.selectors import role_approval_limit
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

NUMBER_PREFIX = "EXP"
MONEY_LIMIT = Decimal("1e12")
RECEIPT_MAX_BYTES = 5 * 1024 * 1024
# Sniffed content type -> the extension the stored file gets.
RECEIPT_TYPES = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg",
                 "image/webp": "webp"}
EDITABLE = (ExpenseStatus.DRAFT, ExpenseStatus.REJECTED)


@dataclass(frozen=True)
class CheckedReceipt:
    file: UploadedFile
    content_type: str
    name: str


def _sniff(head: bytes) -> str:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return ""


def receipt_check(*, file: UploadedFile) -> CheckedReceipt:
    """The upload is a PDF, PNG, JPEG or WebP by its first bytes, at most 5 MB."""
    if file.size is not None and file.size > RECEIPT_MAX_BYTES:
        raise ValidationError({"receipt": _("A receipt may be at most 5 MB.")})
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    content_type = _sniff(head)
    if content_type not in RECEIPT_TYPES:
        raise ValidationError({"receipt": _("Upload the receipt as a PDF, PNG, JPEG or WebP "
                                            "file.")})
    stem = os.path.splitext(os.path.basename(file.name or "receipt"))[0][:100] or "receipt"
    return CheckedReceipt(file=file, content_type=content_type,
                          name=f"{stem}.{RECEIPT_TYPES[content_type]}")


class ExpenseFields(TypedDict, total=False):
    amount: Any
    currency: str
    category: str
    spent_on: date
    account: Account | None
    opportunity: Opportunity | None
    description: str
    receipt: UploadedFile | None


def _workspace_currency() -> str:
    return str(getattr(getattr(connection, "tenant", None), "currency", "") or "USD").upper()


def _clean(values: ExpenseFields, *, current: Expense | None) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    if current is not None:
        merged = {"amount": current.amount, "currency": current.currency,
                  "category": current.category, "spent_on": current.spent_on,
                  "account": current.account, "opportunity": current.opportunity,
                  "description": current.description}
    merged.update({k: v for k, v in values.items() if k != "receipt"})
    cleaned: dict[str, Any] = {}
    currency = str(merged.get("currency") or _workspace_currency()).strip().upper()
    if not currency_is_known(currency):
        raise ValidationError({"currency": _("Enter an ISO 4217 currency code, such as USD.")})
    cleaned["currency"] = currency
    if merged.get("amount") in (None, ""):
        raise ValidationError({"amount": _("Enter the amount.")})
    amount = to_decimal(merged["amount"], field="amount")
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if amount >= MONEY_LIMIT:
        raise ValidationError({"amount": _("The amount is too large.")})
    if not is_whole_money(amount, currency):
        raise ValidationError({"amount": _("%(currency)s amounts have no digits below its "
                                           "minor unit.") % {"currency": currency}})
    cleaned["amount"] = amount
    category = merged.get("category") or ""
    if category not in ExpenseCategory.values:
        raise ValidationError({"category": _("Choose a category.")})
    cleaned["category"] = category
    spent_on = merged.get("spent_on")
    if not isinstance(spent_on, date):
        raise ValidationError({"spent_on": _("Enter the date of the expense.")})
    if spent_on > timezone.localdate():
        raise ValidationError({"spent_on": _("An expense cannot be dated in the future.")})
    cleaned["spent_on"] = spent_on
    account, opportunity = merged.get("account"), merged.get("opportunity")
    if opportunity is not None:
        if account is None:
            account = opportunity.account
        elif opportunity.account_id != account.pk:
            raise ValidationError({"opportunity": _("The opportunity belongs to another "
                                                    "account.")})
    cleaned["account"], cleaned["opportunity"] = account, opportunity
    cleaned["description"] = str(merged.get("description") or "").strip()[:5000]
    return cleaned


def _set_receipt(expense: Expense, upload: UploadedFile | None) -> None:
    if upload is None:
        return
    checked = receipt_check(file=upload)
    expense.receipt.save(checked.name, checked.file, save=False)
    expense.receipt_name = checked.name
    expense.receipt_content_type = checked.content_type


@transaction.atomic
def expense_create(*, actor: User, owner: User | None = None,
                   **values: Unpack[ExpenseFields]) -> Expense:
    """A draft expense request of ``owner`` (default: the actor; else a user the actor
    manages)."""
    if not can(actor, Capability.EDIT_RECORDS):
        raise PermissionDenied(_("You may not enter expenses."))
    owner = owner or actor
    if owner.pk != actor.pk and not manages_user(actor, owner):
        raise ValidationError({"owner": _("You may enter expenses for yourself and the "
                                          "people you manage only.")})
    cleaned = _clean(values, current=None)
    expense = Expense(number=next_number(NUMBER_PREFIX), owner=owner, created_by=actor,
                      **cleaned)
    _set_receipt(expense, values.get("receipt"))
    expense.save()
    audit_event(instance=expense, action="create", actor=actor,
                data={"number": expense.number, "amount": str(expense.amount),
                      "currency": expense.currency})
    return expense


def _may_edit(expense: Expense, actor: User) -> bool:
    return actor.pk in (expense.owner_id, expense.created_by_id)


def _lock(expense: Expense) -> Expense:
    return (Expense.objects.select_for_update(of=("self",)).select_related("owner")
            .get(pk=expense.pk))


@transaction.atomic
def expense_update(*, expense: Expense, actor: User,
                   **values: Unpack[ExpenseFields]) -> Expense:
    """Change a draft or rejected request (its spender or author only)."""
    expense = _lock(expense)
    if not _may_edit(expense, actor) or not can(actor, Capability.EDIT_RECORDS):
        raise PermissionDenied(_("Only the person who spent it edits an expense."))
    if expense.status not in EDITABLE:
        raise ValidationError(_("A submitted or approved expense cannot be changed."))
    cleaned = _clean(values, current=expense)
    changes = {field: [str(getattr(expense, field)), str(value)]
               for field, value in cleaned.items() if getattr(expense, field) != value}
    for field, value in cleaned.items():
        setattr(expense, field, value)
    _set_receipt(expense, values.get("receipt"))
    expense.save()
    if changes:
        audit_event(instance=expense, action="update", actor=actor, changes=changes)
    return expense


@dataclass(frozen=True)
class ApprovalRoute:
    candidates: list[User]
    label: str
    reason: str


def _covers(user: User, amount: Decimal | None) -> bool:
    limit = role_approval_limit(user.role)
    if limit is None:
        return True
    return amount is not None and amount <= limit


def expense_approval_route(*, expense: Expense) -> ApprovalRoute:
    """Who approves ``expense``: the spender's managers whose limit covers the amount, else
    the administrators whose limit covers it (never the spender)."""
    amount = expense.amount if expense.currency == _workspace_currency() else None
    staff = list(User.objects.filter(kind=UserKind.STAFF, is_active=True)
                 .exclude(pk__in=[expense.owner_id, expense.created_by_id or 0])
                 .order_by("pk"))
    managers = [user for user in staff
                if can(user, Capability.SEE_TEAM_RECORDS)
                and not can(user, Capability.SEE_ALL_RECORDS)
                and manages_user(user, expense.owner)]
    within = [user for user in managers if _covers(user, amount)]
    if within:
        return ApprovalRoute(candidates=within, label=_("Manager"),
                             reason=_("Within the manager's approval limit"))
    admins = [user for user in staff if can(user, Capability.MANAGE_SETTINGS)
              and _covers(user, amount)]
    reason = (_("Above the manager's approval limit") if managers
              else _("The spender has no manager"))
    return ApprovalRoute(candidates=admins, label=_("Administrator"), reason=reason)


def expense_may_still_approve(*, expense: Expense, user: User) -> bool:
    """Whether ``user`` qualifies now as an approver of ``expense`` (asked again when they
    decide: the candidates were chosen at submission): active staff, neither the spender nor
    the author, the spender's manager or an administrator, with a limit covering the amount."""
    if not user.is_active or user.kind != UserKind.STAFF:
        return False
    if user.pk in (expense.owner_id, expense.created_by_id):
        return False
    amount = expense.amount if expense.currency == _workspace_currency() else None
    if not _covers(user, amount):
        return False
    manager = (can(user, Capability.SEE_TEAM_RECORDS)
               and not can(user, Capability.SEE_ALL_RECORDS)
               and manages_user(user, expense.owner))
    return manager or can(user, Capability.MANAGE_SETTINGS)


def _url(expense: Expense) -> str:
    return reverse("crm_expenses:expense_detail", kwargs={"pk": expense.pk})


@transaction.atomic
def expense_submit(*, expense: Expense, actor: User) -> Expense:
    """Send a draft or rejected request for approval (a new round of the trail)."""
    expense = _lock(expense)
    if not _may_edit(expense, actor):
        raise PermissionDenied(_("Only the person who spent it submits an expense."))
    if expense.status not in EDITABLE:
        raise ValidationError(_("This expense has already been submitted."))
    route = expense_approval_route(expense=expense)
    approval_open(expense, round=next_round(expense), step=1, candidates=route.candidates,
                  requested_by=expense.owner, step_label=route.label, reason=route.reason)
    expense.status = ExpenseStatus.SUBMITTED
    expense.submitted_at = timezone.now()
    expense.decided_at = None
    expense.save(update_fields=["status", "submitted_at", "decided_at", "updated_at"])
    audit_event(instance=expense, action="expense.submitted", actor=actor,
                data={"approvers": [user.pk for user in route.candidates]})
    notify(recipients=route.candidates, actor=actor, verb="approval",
           message=_("Expense %(number)s of %(name)s for %(amount)s %(currency)s waits for "
                     "your approval.") % {"number": expense.number,
                                          "name": expense.owner.display_name,
                                          "amount": round_money(expense.amount,
                                                                expense.currency),
                                          "currency": expense.currency},
           target=expense, url=_url(expense), email=True)
    return expense


def _decide(expense: Expense, *, actor: User, approve: bool, comment: str) -> Expense:
    expense = _lock(expense)
    step = pending_step(expense)
    if expense.status != ExpenseStatus.SUBMITTED or step is None:
        raise ValidationError(_("This expense is not waiting for approval."))
    approval_decide(step, actor=actor, approve=approve, comment=comment, target=expense,
                    still_eligible=lambda user: expense_may_still_approve(expense=expense,
                                                                          user=user))
    expense.status = ExpenseStatus.APPROVED if approve else ExpenseStatus.REJECTED
    expense.decided_at = timezone.now()
    expense.save(update_fields=["status", "decided_at", "updated_at"])
    if approve:
        message = _("Your expense %(number)s was approved.") % {"number": expense.number}
    else:
        message = _("Your expense %(number)s was rejected: %(comment)s") % {
            "number": expense.number, "comment": comment.strip()}
    notify(recipients=[expense.owner], actor=actor, verb="approval", message=message,
           target=expense, url=_url(expense), email=True)
    return expense


@transaction.atomic
def expense_approve(*, expense: Expense, actor: User, comment: str = "") -> Expense:
    """Approve the pending step (only its candidates; never one's own request)."""
    return _decide(expense, actor=actor, approve=True, comment=comment)


@transaction.atomic
def expense_reject(*, expense: Expense, actor: User, comment: str) -> Expense:
    """Reject the pending step with a comment; the spender may edit and submit again."""
    return _decide(expense, actor=actor, approve=False, comment=comment)


@transaction.atomic
def expense_reimburse(*, expense: Expense, actor: User) -> Expense:
    """Mark an approved request paid back (finance only)."""
    if not can(actor, Capability.MANAGE_FINANCE):
        raise PermissionDenied(_("Only finance reimburses expenses."))
    expense = _lock(expense)
    if expense.status != ExpenseStatus.APPROVED:
        raise ValidationError(_("Only an approved expense is reimbursed."))
    expense.status = ExpenseStatus.REIMBURSED
    expense.reimbursed_at = timezone.now()
    expense.reimbursed_by = actor
    expense.save(update_fields=["status", "reimbursed_at", "reimbursed_by", "updated_at"])
    audit_event(instance=expense, action="expense.reimbursed", actor=actor, data={})
    notify(recipients=[expense.owner], actor=actor, verb="expense",
           message=_("Your expense %(number)s was reimbursed.") % {"number": expense.number},
           target=expense, url=_url(expense))
    return expense
