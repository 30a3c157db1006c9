"""The receivables section of the account page: what the account (and its branches) owes,
per currency, and its open orders with a link to each order's schedule and payments."""

from typing import Any

from django.http import HttpRequest

from crm.accounts.models import Account
from crm.receivables.selectors import account_balances, order_balances, sees_receivables


def account_receivables_context(request: HttpRequest, account: Account,
                                tree_ids: list[int]) -> dict[str, Any]:
    if not sees_receivables(request.user):
        return {"hidden": True}
    totals: dict[str, dict[str, Any]] = {}
    for row in account_balances(viewer=request.user, account_ids=tree_ids):
        total = totals.setdefault(row.currency, {"currency": row.currency, "outstanding": 0,
                                                 "overdue": 0})
        total["outstanding"] += row.outstanding
        total["overdue"] += row.overdue
    orders = order_balances(viewer=request.user, account_ids=tree_ids)
    return {"hidden": not totals and not orders, "totals": list(totals.values()),
            "orders": orders}
