"""Reads of pools, pool accounts, reclaim deadlines and ownership history.

Visibility: a pool with a team is visible to that team's members and manager; a pool
without a team to every staff user; admins, read-only users and service agents see all
pools (as they see all accounts). A pool account is visible when its pool is and the viewer
may see the account (crm.accounts visibility, which hides the unowned accounts of pools the
viewer may not see through ``pool_hidden_account_ids``: one rule for the pool pages, the
pool API and /api/v1/accounts/?in_pool=true). Accessors by id answer Http404 for "not
visible" and "does not exist" alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Count, Model, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Account
from crm.accounts.selectors import account_visible_queryset
from crm.core.visibility import scope_managed_users, viewer_team_ids
from crm.pool.models import OwnershipChange, Pool, PoolMembership, PoolRule
from tenants.users.models import User, UserKind
from tenants.users.permissions import ROLE_CAPABILITIES, Capability, can


def pool_visible_queryset(*, viewer: User) -> QuerySet[Pool]:
    """Pools ``viewer`` may see (see the module docstring)."""
    if not can(viewer, Capability.USE_CRM):
        return Pool.objects.none()
    team_ids = viewer_team_ids(viewer)
    if team_ids is None:
        return Pool.objects.all()
    return Pool.objects.filter(Q(team__isnull=True) | Q(team_id__in=team_ids))


def pool_hidden_account_ids(viewer: User) -> QuerySet[PoolMembership, Any] | None:
    """Ids (``account_id`` values) of the accounts sitting in pools ``viewer`` may not see;
    None when every pool is visible. crm.accounts' visibility applies it to unowned accounts
    (registered in crm.pool's AppConfig)."""
    if not can(viewer, Capability.USE_CRM):
        return None  # sees no account anyway
    team_ids = viewer_team_ids(viewer)
    if team_ids is None:
        return None
    return (PoolMembership.objects.filter(pool__team__isnull=False)
            .exclude(pool__team_id__in=team_ids).values("account_id"))


def pool_list(*, viewer: User, include_inactive: bool = False) -> QuerySet[Pool]:
    """Visible pools with their rule, team and account counts (available / held)."""
    queryset = pool_visible_queryset(viewer=viewer)
    if not include_inactive:
        queryset = queryset.filter(active=True)
    available = (
        PoolMembership.objects.filter(pool=OuterRef("pk"), account__owner__isnull=True)
        .order_by().values("pool").annotate(n=Count("pk")).values("n")
    )
    held = (
        PoolMembership.objects.filter(pool=OuterRef("pk"), account__owner__isnull=False)
        .order_by().values("pool").annotate(n=Count("pk")).values("n")
    )
    return (
        queryset.select_related("team", "rule")
        .annotate(available_count=Subquery(available), held_count=Subquery(held))
        .order_by("name")
    )


def pool_get_for(*, viewer: User, pool_id: int | str) -> Pool:
    """The pool by id if ``viewer`` may see it; Http404 otherwise."""
    try:
        pk = int(pool_id)
    except (TypeError, ValueError):
        raise Http404 from None
    pool = pool_visible_queryset(viewer=viewer).select_related("team", "rule").filter(pk=pk)
    found = pool.first()
    if found is None:
        raise Http404
    return found


def pool_accounts(*, viewer: User, pool: Pool, held: bool = False, search: str = ""
                  ) -> QuerySet[Account]:
    """The pool's accounts the viewer may see: available ones (no owner), or with
    ``held=True`` the ones reps hold."""
    queryset = account_visible_queryset(viewer=viewer).filter(pool_membership__pool=pool,
                                                              owner__isnull=not held)
    if search.strip():
        queryset = queryset.filter(name__icontains=search.strip())
    last_change = (
        OwnershipChange.objects.filter(account=OuterRef("pk")).order_by("-at", "-id")
    )
    return (
        queryset.select_related("owner", "pool_membership")
        .annotate(last_reason=Subquery(last_change.values("reason")[:1]),
                  last_kind=Subquery(last_change.values("kind")[:1]))
        .order_by("name", "pk")
    )


def pool_account_list(*, viewer: User) -> QuerySet[Account]:
    """Accounts of the active pools ``viewer`` may see (held or not), with the reason of
    their latest change of hands (the pool API)."""
    pools = pool_visible_queryset(viewer=viewer).values("pk")
    last_reason = (OwnershipChange.objects.filter(account=OuterRef("pk"))
                   .order_by("-at", "-id").values("reason")[:1])
    return (
        account_visible_queryset(viewer=viewer)
        .filter(pool_membership__pool__in=pools, pool_membership__pool__active=True)
        .select_related("pool_membership").annotate(last_reason=Subquery(last_reason))
    )


def pool_held_accounts(*, viewer: User, pool: Pool) -> QuerySet[Account]:
    """The pool's held accounts on the pool page: managers (who assign) and users who see
    every record see all holders; a rep sees only the accounts they hold themselves."""
    queryset = pool_accounts(viewer=viewer, pool=pool, held=True)
    if can(viewer, Capability.ASSIGN_RECORDS) or can(viewer, Capability.SEE_ALL_RECORDS):
        return queryset
    return queryset.filter(owner=viewer)


def pool_account_get_for(*, viewer: User, account_id: int | str) -> Account:
    """An account for pool actions: visible to ``viewer`` (Http404 otherwise). Whether it
    sits in the pool is the service's question (a clear 400, not a 404)."""
    try:
        pk = int(account_id)
    except (TypeError, ValueError):
        raise Http404 from None
    account = (
        account_visible_queryset(viewer=viewer).select_related("owner").filter(pk=pk).first()
    )
    if account is None:
        raise Http404
    membership = PoolMembership.objects.filter(account=account).select_related("pool").first()
    if membership is not None and not pool_visible_queryset(viewer=viewer).filter(
        pk=membership.pool_id
    ).exists():
        raise Http404
    return account


def ownership_history(*, account: Account, limit: int | None = 50) -> list[OwnershipChange]:
    """Every change of hands of an account the caller may see, newest first."""
    queryset = (
        OwnershipChange.objects.filter(account=account)
        .select_related("from_user", "to_user", "actor", "pool").order_by("-at", "-id")
    )
    return list(queryset[:limit] if limit else queryset)


def pool_history(*, viewer: User, pool: Pool, limit: int = 100) -> QuerySet[OwnershipChange]:
    """Recent changes of hands in a pool, limited to accounts the viewer may see."""
    return (
        OwnershipChange.objects.filter(
            pool=pool, account__in=account_visible_queryset(viewer=viewer).values("pk"))
        .select_related("account", "from_user", "to_user", "actor").order_by("-at", "-id")
        [:limit]
    )


def held_count(*, user: User, pool: Pool) -> int:
    return PoolMembership.objects.filter(pool=pool, account__owner=user).count()


# --- reclaim deadlines ---------------------------------------------------------------------

class ReclaimReason:
    NO_ACTIVITY = "no_activity"
    NO_WON_DEAL = "no_won_deal"


@dataclass(frozen=True)
class ReclaimDeadline:
    at: datetime
    reason: str
    days: int

    def describe(self) -> str:
        if self.reason == ReclaimReason.NO_ACTIVITY:
            return _("No follow-up activity for %(days)s days.") % {"days": self.days}
        return _("No won deal for %(days)s days.") % {"days": self.days}


def won_opportunity_model() -> type[Model] | None:
    """crm.sales' Opportunity when installed (won deals count against the second rule)."""
    try:
        return apps.get_model("crm_sales", "Opportunity")
    except LookupError:
        return None


def with_last_won(queryset: QuerySet[PoolMembership]) -> QuerySet[PoolMembership]:
    """Annotate ``last_won_at``: the latest won deal's close time on the member account."""
    opportunity = won_opportunity_model()
    if opportunity is None:
        return queryset
    won = (
        opportunity._base_manager.filter(account_id=OuterRef("account_id"), stage__is_won=True,
                                         closed_at__isnull=False)
        .order_by("-closed_at").values("closed_at")[:1]
    )
    return queryset.annotate(last_won_at=Subquery(won))


def reclaim_deadline(membership: PoolMembership, rule: PoolRule) -> ReclaimDeadline | None:
    """When the holder loses the account unless something happens: the earlier of "N days
    after the last follow-up activity" and "M days after the last won deal". Neither clock
    starts before the holder got the account."""
    start = membership.owner_since or membership.added_at
    account = membership.account
    candidates: list[ReclaimDeadline] = []
    days = rule.reclaim_after_days_without_activity
    if days:
        last = account.last_activity_at
        base = max(start, last) if last else start
        candidates.append(ReclaimDeadline(base + timedelta(days=days),
                                          ReclaimReason.NO_ACTIVITY, days))
    days = rule.reclaim_after_days_without_won_deal
    if days and won_opportunity_model() is not None:
        last = getattr(membership, "last_won_at", None)
        base = max(start, last) if last else start
        candidates.append(ReclaimDeadline(base + timedelta(days=days),
                                          ReclaimReason.NO_WON_DEAL, days))
    return min(candidates, key=lambda d: d.at) if candidates else None


@dataclass(frozen=True)
class ReclaimWarning:
    account: Account
    pool: Pool
    deadline: ReclaimDeadline

    @property
    def days_left(self) -> int:
        return max(0, (self.deadline.at - timezone.now()).days)


def reclaim_warnings_for(*, viewer: User, now: datetime | None = None) -> list[ReclaimWarning]:
    """The viewer's own accounts whose reclaim deadline is within their pool's warning
    window, soonest first (the Today page)."""
    now = now or timezone.now()
    memberships = with_last_won(
        PoolMembership.objects.filter(account__owner=viewer, pool__active=True,
                                      pool__rule__isnull=False)
        .select_related("account", "pool", "pool__rule")
    )
    warnings = []
    for membership in memberships:
        rule = membership.pool.rule
        deadline = reclaim_deadline(membership, rule)
        if deadline is None:
            continue
        if now >= deadline.at - timedelta(days=rule.warn_days_before):
            warnings.append(ReclaimWarning(membership.account, membership.pool, deadline))
    return sorted(warnings, key=lambda warning: warning.deadline.at)


def assignable_users() -> QuerySet[User]:
    """Staff who may hold accounts (people who work sales), whoever asks."""
    roles = [role for role, capabilities in ROLE_CAPABILITIES.items()
             if Capability.MANAGE_SALES in capabilities]
    return User.objects.filter(is_active=True, kind=UserKind.STAFF, role__in=roles).order_by(
        "first_name", "email")


def assignable_users_for(*, viewer: User) -> QuerySet[User]:
    """Sales staff ``viewer`` may give accounts to: the users they manage
    (crm.core.visibility.managed_user_ids; admins everyone)."""
    return scope_managed_users(assignable_users(), viewer)


def transfer_source_users_for(*, viewer: User) -> QuerySet[User]:
    """Staff (inactive ones too: people who left) whose records ``viewer`` may transfer."""
    users = User.objects.filter(kind=UserKind.STAFF).order_by("-is_active", "first_name",
                                                              "email")
    return scope_managed_users(users, viewer)
