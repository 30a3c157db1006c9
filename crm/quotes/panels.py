"""The quotes panel of the account page (crm.accounts.panels registry)."""

from typing import Any

from django.http import HttpRequest

from crm.accounts.models import Account
from crm.quotes.selectors import quote_panel_rows
from tenants.users.permissions import Capability, can


def account_quotes_context(request: HttpRequest, account: Account, tree_ids: list[int]
                           ) -> dict[str, Any]:
    return {"quotes": quote_panel_rows(viewer=request.user, account_ids=[account.pk]),
            "can_edit": can(request.user, Capability.EDIT_RECORDS)}
