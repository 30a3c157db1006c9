"""What crm.sales contributes to other apps' pages: the home widget and the account panel."""

from typing import Any

from django.http import HttpRequest

from crm.accounts.models import Account
from crm.sales import selectors
from tenants.users.permissions import Capability, can


def home_pipeline_context(request: HttpRequest) -> dict[str, Any]:
    """The viewer's own open pipeline; empty for users without a sales area."""
    if not selectors.sees_sales(request.user):
        return {"hidden": True}
    return selectors.pipeline_summary_for(viewer=request.user)


def account_rollup_context(request: HttpRequest, account: Account,
                           descendant_ids: list[int]) -> dict[str, Any]:
    """Open pipeline and won revenue of the account and its branches (visible deals only)."""
    viewer = request.user
    if not selectors.sees_sales(viewer):
        return {"hidden": True}
    rollup = selectors.account_pipeline_rollup(viewer=viewer, account_id=account.pk,
                                               family_ids=descendant_ids)
    recent = list(
        selectors.opportunity_list(viewer=viewer)
        .filter(account_id__in=descendant_ids)
        .order_by("-closed_at", "close_date", "id")[:10]
    )
    return {
        "rollup": rollup, "recent": recent, "account_id": account.pk,
        "family_size": len(descendant_ids),
        "can_create": can(viewer, Capability.MANAGE_SALES),
    }
