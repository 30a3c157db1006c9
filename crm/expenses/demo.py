"""Demo expense requests in every status (draft, submitted, approved, rejected with a
comment, reimbursed), of the demo reps and the manager, some for opportunities and some
with a receipt; one above the manager's approval limit waits for an administrator.
Everything goes through crm.expenses.services (limits, trail, notifications). Idempotent:
the seeder does nothing once any demo expense exists (descriptions start "[demo]")."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from crm.core.money import minor_unit
from crm.expenses.models import Expense, ExpenseCategory
from crm.expenses.services import (
    expense_approve,
    expense_create,
    expense_reimburse,
    expense_reject,
    expense_submit,
)
from crm.sales.models import Opportunity
from tenants.demo import demo_seeder
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

MARK = "[demo]"
# A one-page PDF: the receipt the demo requests carry.
RECEIPT = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
           b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
           b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\n"
           b"trailer<</Root 1 0 R>>\n%%EOF\n")

# spender, amount, category, days ago, description, final status, with opportunity
PLANS = [
    ("rep@demo.test", "860", ExpenseCategory.TRAVEL, 20, "High-speed rail to Shanghai / 高铁",
     "reimbursed", True),
    ("rep@demo.test", "1240", ExpenseCategory.LODGING, 19, "Hotel, two nights", "approved",
     True),
    ("rep@demo.test", "380", ExpenseCategory.MEALS, 12, "Customer dinner / 客户晚餐",
     "rejected", True),
    ("rep@demo.test", "150", ExpenseCategory.TRANSPORT, 3, "Taxi to the site visit",
     "submitted", False),
    ("rep@demo.test", "2200", ExpenseCategory.SAMPLES, 1, "Sensor samples for the pilot",
     "draft", True),
    ("rep2@demo.test", "3600", ExpenseCategory.EVENTS, 30, "Trade show pass", "approved",
     False),
    ("rep2@demo.test", "540", ExpenseCategory.ENTERTAINMENT, 6, "Lunch with procurement",
     "submitted", True),
    ("manager@demo.test", "620000", ExpenseCategory.EVENTS, 9,
     "Exhibition booth, Canton Fair / 广交会展位", "submitted", False),
    ("manager@demo.test", "980", ExpenseCategory.TRAVEL, 15, "Flight to Shenzhen",
     "reimbursed", True),
]


def _currency() -> str:
    code = str(getattr(getattr(connection, "tenant", None), "currency", "") or "CNY").upper()
    try:
        minor_unit(code)
    except ValueError:
        return "CNY"
    return code


@demo_seeder(name="expenses", order=75)
def seed_expenses() -> None:
    if Expense.objects.filter(description__startswith=MARK).exists():
        return
    staff = list(User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by("pk"))
    by_email = {user.email: user for user in staff}
    admin = next((u for u in staff if can(u, Capability.MANAGE_FINANCE)), None)
    currency = _currency()
    today = timezone.localdate()
    for index, (email, amount, category, days_ago, text, status, for_deal) in \
            enumerate(PLANS):
        spender = by_email.get(email)
        if spender is None:
            continue
        opportunity = (Opportunity.objects.filter(owner=spender).order_by("pk")
                       [index:index + 1].first() if for_deal else None)
        with transaction.atomic():
            expense = expense_create(
                actor=spender, amount=Decimal(amount), currency=currency, category=category,
                spent_on=today - timedelta(days=days_ago), opportunity=opportunity,
                description=f"{MARK} {text}",
                receipt=SimpleUploadedFile(f"receipt-{index + 1}.pdf", RECEIPT,
                                           "application/pdf") if index % 2 == 0 else None)
            if status == "draft":
                continue
            try:
                expense = expense_submit(expense=expense, actor=spender)
            except ValidationError:  # nobody can approve (no manager, no admin): a draft
                continue
            if status == "submitted":
                continue
            step = expense.approvals.filter(decision="pending").first()
            approver = step.candidates.order_by("pk").first() if step else None
            if approver is None:
                continue
            if status == "rejected":
                expense_reject(expense=expense, actor=approver,
                               comment="Private dinner, not a customer expense. / 非客户费用")
                continue
            expense = expense_approve(expense=expense, actor=approver, comment="OK")
            if status == "reimbursed" and admin is not None:
                expense_reimburse(expense=expense, actor=admin)
