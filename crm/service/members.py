"""Which accounts a portal member may see, as the portal defines it.

The portal registers its one rule (``register_member_accounts``) from its AppConfig; until
it does, members see no service record. Selectors and services both ask here, so the staff
side never rebuilds the portal's rule."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from tenants.users.models import User, UserKind

# viewer -> a queryset of account ids (``.values("pk")`` or similar).
MemberAccounts = Callable[[User], "QuerySet[Any]"]
_rules: list[MemberAccounts] = []


def register_member_accounts(rule: MemberAccounts) -> None:
    _rules[:] = [rule]


def is_member(user: User) -> bool:
    return getattr(user, "kind", None) == UserKind.MEMBER


def member_account_ids(viewer: User) -> "QuerySet[Any] | None":
    """The accounts ``viewer`` (a member) may see; None: none at all."""
    if not is_member(viewer) or not viewer.is_active or not _rules:
        return None
    return _rules[0](viewer)


def member_may_see_account(viewer: User, account_id: int) -> bool:
    accounts = member_account_ids(viewer)
    if accounts is None:
        return False
    from crm.accounts.models import Account

    return Account.objects.filter(pk=account_id, pk__in=accounts).exists()
