"""Reads of accounts and contacts that the UI, the API and other CRM apps share.

Visibility: a viewer sees an account when crm.core.visibility's owner scope admits its owner
(own, team, pool; managers their teams; admins, read-only users and service agents all) or
when the viewer is on the account's team. Unowned accounts are narrowed by the rules other
apps register (crm.pool: an account waiting in another team's pool is not yours to see). A
contact is visible exactly when its account is. Every accessor by id answers Http404 for
"not visible" and "does not exist" alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from crm.accounts.models import Account, AccountTeamMember, Contact, NameAlias
from crm.core.audit import history_for
from crm.core.models import AuditEntry
from crm.core.trees import ancestor_ids, descendant_ids
from crm.core.visibility import owner_scope_for
from tenants.users.models import User

if TYPE_CHECKING:
    from crm.accounts.duplicates import DuplicateCandidate


# Rules that hide some unowned accounts from a viewer: each returns a queryset of the
# hidden accounts' ids (``.values("account_id")`` or similar), or None for "hides nothing".
# crm.pool registers one (accounts waiting in pools of teams the viewer is not on).
UnownedAccountRule = Callable[[User], "QuerySet[Any] | None"]
_unowned_rules: dict[str, UnownedAccountRule] = {}


def register_unowned_account_rule(name: str, rule: UnownedAccountRule) -> None:
    """Add (or replace, by name) a rule narrowing which unowned accounts a viewer sees.
    Register from AppConfig.ready()."""
    _unowned_rules[name] = rule


def _unowned_condition(viewer: User, prefix: str) -> Q:
    condition = Q(**{f"{prefix}owner__isnull": True})
    for rule in _unowned_rules.values():
        hidden = rule(viewer)
        if hidden is not None:
            condition &= ~Q(**{f"{prefix}pk__in": hidden})
    return condition


def _account_visibility(viewer: User, *, prefix: str = "") -> Q | None:
    """The condition on Account (or on ``prefix`` + Account fields); None means no limit."""
    scope = owner_scope_for(viewer)
    if scope.sees_all:
        return None
    condition = Q(**{f"{prefix}owner__in": scope.owner_ids})
    if scope.include_unowned:
        condition |= _unowned_condition(viewer, prefix)
    if scope.owner_ids:  # staff with a scope also see the accounts whose team they are on
        team_accounts = AccountTeamMember.objects.filter(user=viewer).values("account_id")
        condition |= Q(**{f"{prefix}pk__in": team_accounts})
    return condition


def account_visible_queryset(*, viewer: User) -> QuerySet[Account]:
    """Every account ``viewer`` may see (nothing for users without CRM access)."""
    queryset = Account.objects.all()
    condition = _account_visibility(viewer)
    return queryset if condition is None else queryset.filter(condition)


def account_list(*, viewer: User, search: str = "") -> QuerySet[Account]:
    """Visible accounts with owner and parent loaded, optionally searched by name/phone/city."""
    queryset = account_visible_queryset(viewer=viewer).select_related("owner", "parent")
    return account_search(queryset, search)


def account_search(queryset: QuerySet[Account], search: str) -> QuerySet[Account]:
    """``queryset`` narrowed to accounts whose name or city contains ``search``, whose
    external id is it, or whose phone starts with its digits (the list page's search box and
    the FilterSet's ``q``)."""
    search = search.strip()
    if not search:
        return queryset
    from crm.accounts.normalize import normalize_phone

    condition = Q(name__icontains=search) | Q(city__icontains=search) | Q(external_id=search)
    digits = normalize_phone(search)
    if len(digits) >= 5:
        condition |= Q(phone_normalized__startswith=digits)
    return queryset.filter(condition)


def account_get_for(*, viewer: User, account_id: int | str) -> Account:
    """The account with this id if ``viewer`` may see it; Http404 otherwise (same answer for
    "does not exist" and "not yours")."""
    try:
        pk = int(account_id)
    except (TypeError, ValueError):
        raise Http404 from None
    account = (
        account_visible_queryset(viewer=viewer).select_related("owner", "parent", "created_by")
        .filter(pk=pk).first()
    )
    if account is None:
        raise Http404
    return account


def account_is_visible(*, viewer: User, account: Account) -> bool:
    return account_visible_queryset(viewer=viewer).filter(pk=account.pk).exists()


def account_descendant_ids(*, account_id: int) -> list[int]:
    """The account and every account below it, at any depth (one recursive query).
    Visibility: ids only; the caller filters what it shows."""
    return descendant_ids(Account, account_id)


def account_ancestor_ids(*, account_id: int) -> list[int]:
    """The account, its parent, grandparent... up to the root (nearest first)."""
    return ancestor_ids(Account, account_id)


@dataclass
class TreeNode:
    id: int
    name: str
    visible: bool
    type: str = ""
    owner_name: str = ""
    children: list[TreeNode] = field(default_factory=list)
    is_current: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "visible": self.visible, "type": self.type,
            "owner": self.owner_name, "is_current": self.is_current,
            "children": [child.as_dict() for child in self.children],
        }


def account_tree(*, viewer: User, account: Account) -> TreeNode:
    """The whole hierarchy ``account`` belongs to, from its root down (three queries).

    Accounts the viewer may not open appear with their name only (``visible=False``): the
    structure of a customer's group is shared knowledge, its records are not."""
    root_id = account_ancestor_ids(account_id=account.pk)[-1]
    ids = account_descendant_ids(account_id=root_id)
    rows = list(
        Account.objects.filter(pk__in=ids).select_related("owner")
        .only("id", "name", "type", "parent_id", "owner__first_name", "owner__last_name",
              "owner__email")
    )
    visible_ids = set(account_visible_queryset(viewer=viewer).filter(pk__in=ids)
                      .values_list("pk", flat=True))
    nodes = {
        row.pk: TreeNode(
            id=row.pk, name=row.name, visible=row.pk in visible_ids,
            type=row.get_type_display() if row.pk in visible_ids else "",
            owner_name=(row.owner.display_name if row.owner and row.pk in visible_ids else ""),
            is_current=row.pk == account.pk,
        )
        for row in rows
    }
    for row in sorted(rows, key=lambda r: r.name):
        if row.parent_id in nodes and row.pk != root_id:
            nodes[row.parent_id].children.append(nodes[row.pk])
    return nodes[root_id]


def account_team(*, account: Account) -> QuerySet[AccountTeamMember]:
    """The account's team (visibility: the caller already may see the account)."""
    return account.team_members.select_related("user").order_by("role", "user__first_name")


def account_history(*, account: Account) -> QuerySet[AuditEntry]:
    """Field history and events of the account, newest first (caller may see the account)."""
    return history_for(account)


def contact_visible_queryset(*, viewer: User) -> QuerySet[Contact]:
    """Contacts of the accounts ``viewer`` may see."""
    queryset = Contact.objects.all()
    condition = _account_visibility(viewer, prefix="account__")
    return queryset.filter(condition) if condition is not None else queryset


def contact_list(*, viewer: User, search: str = "", account_id: int | None = None
                 ) -> QuerySet[Contact]:
    queryset = contact_visible_queryset(viewer=viewer).select_related(
        "account", "covered_by", "reports_to"
    )
    if account_id is not None:
        queryset = queryset.filter(account_id=account_id)
    return contact_search(queryset, search)


def contact_search(queryset: QuerySet[Contact], search: str) -> QuerySet[Contact]:
    """``queryset`` narrowed to contacts whose name, e-mail or account name contains
    ``search`` (the list page's search box and the FilterSet's ``q``)."""
    search = search.strip()
    if not search:
        return queryset
    return queryset.filter(
        Q(last_name__icontains=search) | Q(first_name__icontains=search)
        | Q(email__icontains=search) | Q(account__name__icontains=search)
    )


def contact_get_for(*, viewer: User, contact_id: int | str) -> Contact:
    """The contact with this id if ``viewer`` may see its account; Http404 otherwise."""
    try:
        pk = int(contact_id)
    except (TypeError, ValueError):
        raise Http404 from None
    contact = (
        contact_visible_queryset(viewer=viewer)
        .select_related("account", "account__owner", "reports_to", "covered_by")
        .filter(pk=pk).first()
    )
    if contact is None:
        raise Http404
    return contact


@dataclass
class CommitteeNode:
    contact: Contact
    reports: list[CommitteeNode] = field(default_factory=list)


def buying_committee(*, account: Account) -> list[CommitteeNode]:
    """The account's contacts as an org chart by reports-to (roots first, one query).
    A contact whose manager works at another account is shown as a root here."""
    contacts = list(
        account.contacts.select_related("covered_by").order_by("-influence", "last_name")
    )
    nodes = {contact.pk: CommitteeNode(contact) for contact in contacts}
    roots: list[CommitteeNode] = []
    for contact in contacts:
        parent = nodes.get(contact.reports_to_id) if contact.reports_to_id else None
        if parent is not None and parent.contact.pk != contact.pk:
            parent.reports.append(nodes[contact.pk])
        else:
            roots.append(nodes[contact.pk])
    # Guard against a reports-to loop (impossible through services, possible in raw data):
    # any contact not reachable from a root becomes a root.
    reached: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node.contact.pk in reached:
            continue
        reached.add(node.contact.pk)
        stack.extend(node.reports)
    roots.extend(node for pk, node in nodes.items() if pk not in reached)
    return roots


def name_alias_list() -> QuerySet[NameAlias]:
    """The tenant's alias table (settings data: visible to every staff user)."""
    return NameAlias.objects.all()


def account_children_counts(*, account_ids: list[int]) -> dict[int, int]:
    rows = (Account.objects.filter(parent_id__in=account_ids).values("parent_id")
            .annotate(n=Count("id")))
    return {row["parent_id"]: row["n"] for row in rows}


def account_detail_prefetch() -> list[Prefetch]:
    return [Prefetch("team_members", queryset=AccountTeamMember.objects.select_related("user"))]


def duplicate_candidates(
    *, viewer: User, name: str, phone: str = "", email: str = "", website: str = "",
    exclude_id: int | None = None, limit: int = 10,
) -> list[DuplicateCandidate]:
    """Likely duplicates of a company being typed (see crm.accounts.duplicates).

    Visibility: on purpose *every* account may be reported, so that nobody creates a second
    copy of a competitor's account; but only id, name, owner display name and score leave
    this function for accounts the viewer may not open."""
    from crm.accounts.duplicates import find_duplicates

    return find_duplicates(
        viewer=viewer, name=name, phone=phone, email=email, website=website,
        exclude_id=exclude_id, limit=limit,
    )
