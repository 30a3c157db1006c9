"""The orders panel of the account page (crm.accounts.panels registry)."""

from typing import Any

from django.http import HttpRequest

from crm.accounts.models import Account
from crm.orders.selectors import account_orders, may_read_orders


def account_orders_context(request: HttpRequest, account: Account, tree_ids: list[int]
                           ) -> dict[str, Any]:
    """The latest orders of the account and its branches the viewer may see."""
    if not may_read_orders(request.user):
        return {"hidden": True, "orders": []}
    return {"hidden": False, "orders": account_orders(viewer=request.user,
                                                      account_ids=tree_ids or [account.pk])}
