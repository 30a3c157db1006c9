"""Reads of expense requests that the pages and the API share, and the expense-to-revenue
ratios.

Visibility: sales staff (reps, managers) see expenses by the owner/team rule of
crm.core.visibility (their own and their team members'; managers their teams'); admins and
read-only users see all; anyone else (service agents) sees only their own. An approver sees
a request waiting for them in any case (their inbox). "Not yours" and "missing" are the same
404.

Ratios count approved and reimbursed expenses against revenue, which is the total of
approved orders (crm.receivables.selectors.RECEIVABLE_STATUSES: approved, partly delivered,
delivered), per currency (no conversion)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404

from crm.core.approvals import approval_inbox, approvals_for
from crm.core.models import Approval
from crm.core.visibility import scope_by_owner
from crm.expenses.models import Expense, ExpenseStatus
from crm.receivables.selectors import RECEIVABLE_STATUSES, order_visible_queryset
from crm.sales.models import Opportunity
from tenants.users.models import User
from tenants.users.permissions import Capability, can

COUNTED_STATUSES = (ExpenseStatus.APPROVED, ExpenseStatus.REIMBURSED)


def _sees_sales(viewer: User) -> bool:
    return can(viewer, Capability.MANAGE_SALES) or can(viewer, Capability.SEE_ALL_RECORDS)


def _awaiting_ids(viewer: User) -> QuerySet:
    return approval_inbox(viewer).filter(
        content_type=ContentType.objects.get_for_model(Expense)).values("object_id")


def expense_visible_queryset(*, viewer: User) -> QuerySet[Expense]:
    """Every expense request ``viewer`` may see (see the module docstring)."""
    if not can(viewer, Capability.USE_CRM):
        return Expense.objects.none()
    if _sees_sales(viewer):
        scoped = scope_by_owner(Expense.objects.all(), viewer)
    else:
        scoped = Expense.objects.filter(owner=viewer)
    if can(viewer, Capability.SEE_ALL_RECORDS):
        return scoped
    return Expense.objects.filter(Q(pk__in=scoped.values("pk"))
                                  | Q(pk__in=_awaiting_ids(viewer)))


def _trail() -> Prefetch:
    return Prefetch("approvals", queryset=Approval.objects.order_by("round", "step", "pk"))


def expense_list(*, viewer: User) -> QuerySet[Expense]:
    """The visible expenses with what a list row shows joined in (and their approval
    trail prefetched), newest first."""
    return (expense_visible_queryset(viewer=viewer)
            .select_related("owner", "account", "opportunity").prefetch_related(_trail())
            .order_by("-spent_on", "-pk"))


def expense_get_for(*, viewer: User, expense_id: int | str) -> Expense:
    """The expense if ``viewer`` may see it; Http404 for missing, not yours, garbage ids."""
    try:
        pk = int(expense_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if pk < 1 or pk > 2**63 - 1:
        raise Http404
    expense = (expense_visible_queryset(viewer=viewer)
               .select_related("owner", "account", "opportunity", "created_by",
                               "reimbursed_by").prefetch_related(_trail())
               .filter(pk=pk).first())
    if expense is None:
        raise Http404
    return expense


def expense_approvals(*, expense: Expense) -> list[Approval]:
    """The approval trail of the request, every round, oldest first (visibility: the caller
    fetched it; prefetched by ``expense_list`` and ``expense_get_for``)."""
    return list(expense.approvals.all())


def expense_approval_trail(*, expense: Expense) -> QuerySet[Approval]:
    """The trail with approvers and requesters joined in (the detail page)."""
    return approvals_for(expense).prefetch_related("candidates")


def expense_awaiting(*, viewer: User) -> QuerySet[Expense]:
    """Submitted requests whose pending step ``viewer`` may decide (their inbox)."""
    return (Expense.objects.filter(pk__in=_awaiting_ids(viewer),
                                   status=ExpenseStatus.SUBMITTED)
            .select_related("owner", "account", "opportunity").order_by("submitted_at", "pk"))


@dataclass(frozen=True)
class RatioRow:
    key: int | None
    label: str
    currency: str
    expenses: Decimal
    revenue: Decimal

    @property
    def ratio(self) -> Decimal | None:
        """Expenses per unit of revenue (None without revenue)."""
        if not self.revenue:
            return None
        return (self.expenses / self.revenue).quantize(Decimal("0.0001"))

    @property
    def percent(self) -> Decimal | None:
        ratio = self.ratio
        return None if ratio is None else (ratio * 100).quantize(Decimal("0.01"))


def _merge(expense_rows: list[dict], revenue_rows: list[dict], key: str,
           labels: Mapping[int, str]) -> list[RatioRow]:
    figures: dict[tuple, dict[str, Decimal]] = {}
    for row in expense_rows:
        figures.setdefault((row[key], row["currency"]), {})["expenses"] = row["sum"]
    for row in revenue_rows:
        figures.setdefault((row[key], row["currency"]), {})["revenue"] = row["sum"]
    rows = [RatioRow(key=pk, label=labels.get(pk, "") if pk is not None else "",
                     currency=currency,
                     expenses=values.get("expenses", Decimal(0)),
                     revenue=values.get("revenue", Decimal(0)))
            for (pk, currency), values in figures.items()]
    return sorted(rows, key=lambda r: (r.currency, -r.expenses, r.label.lower()))


def expense_ratio_by_opportunity(*, viewer: User) -> list[RatioRow]:
    """Approved expenses against approved orders' totals per opportunity and currency, over
    what ``viewer`` may see (opportunities with expenses only; three queries)."""
    expenses = list(expense_visible_queryset(viewer=viewer)
                    .filter(status__in=COUNTED_STATUSES, opportunity__isnull=False)
                    .values("opportunity_id", "currency").annotate(sum=Sum("amount"))
                    .order_by())
    ids = {row["opportunity_id"] for row in expenses}
    revenue = list(order_visible_queryset(viewer=viewer)
                   .filter(status__in=RECEIVABLE_STATUSES, opportunity_id__in=ids)
                   .values("opportunity_id", "currency").annotate(sum=Sum("total"))
                   .order_by())
    labels = dict(Opportunity.objects.filter(pk__in=ids).values_list("pk", "name"))
    return _merge(expenses, revenue, "opportunity_id", labels)


def expense_ratio_by_rep(*, viewer: User) -> list[RatioRow]:
    """Approved expenses against approved orders' totals per rep (the expense's spender, the
    order's owner) and currency, over what ``viewer`` may see (three queries)."""
    expenses = list(expense_visible_queryset(viewer=viewer)
                    .filter(status__in=COUNTED_STATUSES)
                    .values("owner_id", "currency").annotate(sum=Sum("amount")).order_by())
    ids = {row["owner_id"] for row in expenses}
    revenue = [{"owner_id": row["owner_id"], "currency": row["currency"], "sum": row["sum"]}
               for row in order_visible_queryset(viewer=viewer)
               .filter(status__in=RECEIVABLE_STATUSES, owner_id__in=ids)
               .values("owner_id", "currency").annotate(sum=Sum("total")).order_by()]
    labels = {user.pk: user.display_name for user in User.objects.filter(pk__in=ids)}
    return _merge(expenses, revenue, "owner_id", labels)
