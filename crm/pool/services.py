"""Pool commands: claim, return, assign, the nightly reclaim, and pool settings.

Each command is one transaction, keyword-only, takes the actor and accepts ``now`` so that
rules can be tested by time travel. These (and crm.pool.transfer) are the only owner
changes of an account: they write it through crm.accounts.services.account_owner_set (field
history) after applying the cap and the pool rules, and every change of hands is kept in
OwnershipChange with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Account, AccountTeamMember, AccountTeamRole
from crm.accounts.services import account_owner_set
from crm.core.audit import audit_event, audit_snapshot
from crm.core.models import Team
from crm.core.notifications import notify
from crm.core.visibility import manages_user, member_team_ids, viewer_team_ids
from crm.pool.models import OwnershipChange, OwnershipChangeKind, Pool, PoolMembership, PoolRule
from crm.pool.selectors import held_count, reclaim_deadline, with_last_won
from tenants.users.models import User
from tenants.users.permissions import Capability, can

RULE_FIELDS = ("max_accounts_per_rep", "reclaim_after_days_without_activity",
               "reclaim_after_days_without_won_deal", "warn_days_before")


class PoolRuleFields(TypedDict, total=False):
    """A pool's rule (``RULE_FIELDS``); None means "no limit" / "never for this reason"."""

    max_accounts_per_rep: int | None
    reclaim_after_days_without_activity: int | None
    reclaim_after_days_without_won_deal: int | None
    warn_days_before: int


class PoolChanges(PoolRuleFields, total=False):
    """What ``pool_update`` accepts: the pool's own fields and its rule."""

    name: str
    team: Team | None
    region: str
    active: bool


def _account_url(account: Account) -> str:
    try:
        return reverse("crm_accounts:account_detail", args=[account.pk])
    except NoReverseMatch:  # the accounts pages are not wired in
        return reverse("pool:pool_list")


def _require_sales(actor: User) -> None:
    if not (can(actor, Capability.MANAGE_SALES) and can(actor, Capability.EDIT_RECORDS)):
        raise PermissionDenied(_("You may not take or return pool accounts."))


def _may_use_pool(user: User, pool: Pool) -> bool:
    """Team pools serve their team (its members and managers; admins every pool)."""
    if pool.team_id is None:
        return True
    team_ids = viewer_team_ids(user)
    return team_ids is None or pool.team_id in team_ids


def pool_for_account(account: Account) -> Pool | None:
    """The pool an account belongs to (its membership), else the best match: an active pool
    for its region, then one for the owner's team, then an active pool with neither."""
    membership = PoolMembership.objects.filter(account=account).select_related("pool").first()
    if membership is not None:
        return membership.pool
    active = Pool.objects.filter(active=True)
    if account.region:
        match = active.filter(region__iexact=account.region).order_by("pk").first()
        if match:
            return match
    if account.owner_id:
        match = (active.filter(team_id__in=member_team_ids(account.owner_id))
                 .order_by("pk").first())
        if match:
            return match
    return active.filter(team__isnull=True, region="").order_by("pk").first()


def _lock(account: Account) -> tuple[Account, PoolMembership | None]:
    locked = Account.objects.select_for_update().get(pk=account.pk)
    membership = (
        PoolMembership.objects.select_for_update().filter(account=locked).first()
    )
    return locked, membership


def _check_cap(*, user: User, pool: Pool) -> None:
    """The most accounts of this pool one rep may hold; the user row is locked so two
    concurrent claims by the same rep cannot both pass."""
    rule = PoolRule.objects.filter(pool=pool).first()
    if rule is None or not rule.max_accounts_per_rep:
        return
    User.objects.select_for_update().filter(pk=user.pk).first()
    holding = held_count(user=user, pool=pool)
    if holding >= rule.max_accounts_per_rep:
        raise ValidationError({"account": _(
            "%(user)s already holds %(count)s accounts from %(pool)s, the most allowed. "
            "Return one first."
        ) % {"user": user.display_name, "count": holding, "pool": pool.name}})


def drop_owner_team_row(account: Account, user_id: int | None) -> None:
    """The previous holder leaves the account team when they held it only as owner."""
    if user_id is not None:
        AccountTeamMember.objects.filter(account=account, user_id=user_id,
                                         role=AccountTeamRole.OWNER).delete()


def record_ownership_change(
    *, account: Account, pool: Pool | None, kind: str, from_user_id: int | None,
    to_user: User | None, actor: User | None, reason: str, at: datetime,
) -> OwnershipChange:
    return OwnershipChange.objects.create(
        account=account, pool=pool, kind=kind, from_user_id=from_user_id, to_user=to_user,
        actor=actor, reason=reason[:500], at=at,
    )


def _not_in_pool() -> ValidationError:
    return ValidationError({"account": _("This account is not in the pool.")})


@transaction.atomic
def pool_claim(*, account: Account, actor: User, now: datetime | None = None
               ) -> OwnershipChange:
    """Take an account from the pool, up to the pool's cap for one rep."""
    _require_sales(actor)
    now = now or timezone.now()
    account, membership = _lock(account)
    if membership is None or account.owner_id is not None or not membership.pool.active:
        raise _not_in_pool()
    pool = membership.pool
    if not _may_use_pool(actor, pool):
        raise ValidationError({"account": _("This pool belongs to another team.")})
    _check_cap(user=actor, pool=pool)
    account_owner_set(account=account, actor=actor, owner=actor)
    membership.owner_since, membership.warned_deadline = now, None
    membership.save(update_fields=["owner_since", "warned_deadline"])
    return record_ownership_change(account=account, pool=pool, kind=OwnershipChangeKind.CLAIM,
                   from_user_id=None, to_user=actor, actor=actor, reason="", at=now)


@transaction.atomic
def pool_return(*, account: Account, actor: User, reason: str, now: datetime | None = None
                ) -> OwnershipChange:
    """Give an account back to its pool, saying why (the next rep reads it)."""
    _require_sales(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you return the account.")})
    now = now or timezone.now()
    account, membership = _lock(account)
    if account.owner_id is None:
        raise ValidationError({"account": _("This account is already in the pool.")})
    if account.owner_id != actor.pk and not (can(actor, Capability.ASSIGN_RECORDS)
                                             and manages_user(actor, account.owner)):
        raise ValidationError({"account": _(
            "Only the owner or a manager of the owner's team may return it.")})
    pool = membership.pool if membership is not None else pool_for_account(account)
    if pool is None:
        raise ValidationError({"account": _("There is no pool to return this account to.")})
    previous = account.owner_id
    account_owner_set(account=account, actor=actor, owner=None)
    drop_owner_team_row(account, previous)
    PoolMembership.objects.update_or_create(
        account=account, defaults={"pool": pool, "owner_since": None, "warned_deadline": None}
    )
    return record_ownership_change(account=account, pool=pool, kind=OwnershipChangeKind.RETURN,
                   from_user_id=previous, to_user=None, actor=actor, reason=reason, at=now)


@transaction.atomic
def pool_assign(*, account: Account, to_user: User, actor: User, reason: str = "",
                now: datetime | None = None) -> OwnershipChange:
    """A manager gives a pool account to a rep (within the rep's cap); the rep is told."""
    if not can(actor, Capability.ASSIGN_RECORDS):
        raise PermissionDenied(_("Only managers may assign pool accounts."))
    if not (to_user.is_active and can(to_user, Capability.MANAGE_SALES)):
        raise ValidationError({"to_user": _("Choose an active sales user.")})
    now = now or timezone.now()
    account, membership = _lock(account)
    if membership is None or account.owner_id is not None or not membership.pool.active:
        raise _not_in_pool()
    pool = membership.pool
    if not manages_user(actor, to_user):
        raise ValidationError({"to_user": _("Choose a user of the teams you manage.")})
    if not (_may_use_pool(actor, pool) and _may_use_pool(to_user, pool)):
        raise ValidationError({"to_user": _("This pool serves another team.")})
    _check_cap(user=to_user, pool=pool)
    account_owner_set(account=account, actor=actor, owner=to_user)
    membership.owner_since, membership.warned_deadline = now, None
    membership.save(update_fields=["owner_since", "warned_deadline"])
    change = record_ownership_change(account=account, pool=pool, kind=OwnershipChangeKind.ASSIGN,
                     from_user_id=None, to_user=to_user, actor=actor,
                     reason=(reason or "").strip(), at=now)
    notify(recipients=[to_user], actor=actor, verb="pool_assigned", target=account,
           message=_("%(who)s gave you %(account)s from the pool %(pool)s.") % {
               "who": actor.display_name, "account": account.name, "pool": pool.name},
           url=_account_url(account), email=True)
    return change


# --- the nightly reclaim -------------------------------------------------------------------

@dataclass
class ReclaimResult:
    reclaimed: int = 0
    warned: int = 0


def _reclaim(membership: PoolMembership, reason: str, now: datetime) -> None:
    account = membership.account
    previous = account.owner
    account_owner_set(account=account, actor=None, owner=None)
    drop_owner_team_row(account, previous.pk if previous else None)
    membership.owner_since, membership.warned_deadline = None, None
    membership.save(update_fields=["owner_since", "warned_deadline"])
    record_ownership_change(account=account, pool=membership.pool, kind=OwnershipChangeKind.RECLAIM,
            from_user_id=previous.pk if previous else None, to_user=None, actor=None,
            reason=reason, at=now)
    if previous is not None:
        notify(recipients=[previous], actor=None, verb="pool_reclaimed", target=account,
               message=_("%(account)s went back to the pool %(pool)s: %(reason)s") % {
                   "account": account.name, "pool": membership.pool.name, "reason": reason},
               url=_account_url(account), email=True)


def _warn(membership: PoolMembership, deadline_at: datetime, reason: str) -> None:
    owner = membership.account.owner
    if owner is not None:
        local = timezone.localtime(deadline_at)
        notify(recipients=[owner], actor=None, verb="pool_warning", target=membership.account,
               message=_("%(account)s goes back to the pool %(pool)s on %(date)s unless you "
                         "follow up: %(reason)s") % {
                   "account": membership.account.name, "pool": membership.pool.name,
                   "date": local.strftime("%Y-%m-%d"), "reason": reason},
               url=_account_url(membership.account), email=True)
    membership.warned_deadline = deadline_at
    membership.save(update_fields=["warned_deadline"])


def _reclaim_batch(pool: Pool, rule: PoolRule, after_id: int, batch_size: int,
                   now: datetime, result: ReclaimResult) -> int | None:
    """One batch of a pool's held accounts in its own transaction; the last account id, or
    None when the pool is done. Rows locked by a concurrent run are skipped."""
    with transaction.atomic():
        memberships = list(
            with_last_won(
                PoolMembership.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pool=pool, account__owner__isnull=False, account_id__gt=after_id)
                .select_related("account", "account__owner", "pool")
            ).order_by("account_id")[:batch_size]
        )
        for membership in memberships:
            deadline = reclaim_deadline(membership, rule)
            if deadline is None:
                continue
            if now >= deadline.at:
                _reclaim(membership, deadline.describe(), now)
                result.reclaimed += 1
            elif (now >= deadline.at - timedelta(days=rule.warn_days_before)
                  and membership.warned_deadline != deadline.at):
                _warn(membership, deadline.at, deadline.describe())
                result.warned += 1
    if len(memberships) < batch_size:
        return None
    return memberships[-1].account_id


def reclaim_idle_accounts(*, now: datetime | None = None, batch_size: int = 200
                          ) -> ReclaimResult:
    """Apply every active pool's rules: accounts past their deadline go back to the pool
    (the holder is told why), holders within the warning window are warned once per
    deadline. Idempotent: a second run at the same time finds nothing more to do."""
    now = now or timezone.now()
    result = ReclaimResult()
    for pool in Pool.objects.filter(active=True, rule__isnull=False).select_related("rule"):
        after_id: int | None = 0
        while after_id is not None:
            after_id = _reclaim_batch(pool, pool.rule, after_id, batch_size, now, result)
    return result


# --- pool settings -------------------------------------------------------------------------

def _require_settings(actor: User | None) -> None:
    if actor is not None and not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied(_("You may not change pool settings."))


def _clean_rule(rule: PoolRule) -> None:
    rule.full_clean(exclude=["pool"])


@transaction.atomic
def pool_create(*, actor: User | None, name: str, team: Team | None = None, region: str = "",
                active: bool = True, **rule_fields: Unpack[PoolRuleFields]) -> Pool:
    """A new pool with its rule (defaults unless given)."""
    _require_settings(actor)
    unknown = set(rule_fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({name_: _("Unknown field.") for name_ in sorted(unknown)})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the pool a name.")})
    if Pool.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("Another pool has this name.")})
    pool = Pool.objects.create(name=name, team=team, region=(region or "").strip(),
                               active=active)
    rule = PoolRule(pool=pool, **rule_fields)
    _clean_rule(rule)
    rule.save()
    audit_event(instance=pool, action="create", actor=actor,
                data={"name": name, **{f: getattr(rule, f) for f in RULE_FIELDS}})
    return pool


@transaction.atomic
def pool_update(*, pool: Pool, actor: User | None, **fields: Unpack[PoolChanges]) -> Pool:
    """Change a pool and its rule; the change is kept in the audit log."""
    _require_settings(actor)
    pool_fields = {k: v for k, v in fields.items() if k in ("name", "team", "region", "active")}
    rule_fields = {k: v for k, v in fields.items() if k in RULE_FIELDS}
    unknown = set(fields) - set(pool_fields) - set(rule_fields)
    if unknown:
        raise ValidationError({name_: _("Unknown field.") for name_ in sorted(unknown)})
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    rule, _created = PoolRule.objects.get_or_create(pool=pool)
    before = {**audit_snapshot(pool, ["name", "team", "region", "active"]),
              **audit_snapshot(rule, RULE_FIELDS)}
    if "name" in pool_fields:
        pool_fields["name"] = (fields.get("name") or "").strip()
        if not pool_fields["name"]:
            raise ValidationError({"name": _("Give the pool a name.")})
        if Pool.objects.filter(name__iexact=pool_fields["name"]).exclude(pk=pool.pk).exists():
            raise ValidationError({"name": _("Another pool has this name.")})
    for name_, value in pool_fields.items():
        setattr(pool, name_, value)
    for name_, value in rule_fields.items():
        setattr(rule, name_, value)
    _clean_rule(rule)
    pool.save()
    rule.save()
    after = {**audit_snapshot(pool, ["name", "team", "region", "active"]),
             **audit_snapshot(rule, RULE_FIELDS)}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        audit_event(instance=pool, action="update", actor=actor, changes=changes)
    return pool


@transaction.atomic
def pool_add_accounts(*, pool: Pool, accounts: list[Account], actor: User | None) -> int:
    """Make ``pool`` the home pool of these accounts (moving them from any other pool)."""
    if actor is not None and not (can(actor, Capability.MANAGE_SETTINGS)
                                  or can(actor, Capability.ASSIGN_RECORDS)):
        raise PermissionDenied(_("You may not put accounts into pools."))
    added = 0
    for account in accounts:
        _membership, created = PoolMembership.objects.update_or_create(
            account=account, defaults={"pool": pool}
        )
        if created and account.owner_id is not None:
            PoolMembership.objects.filter(account=account).update(owner_since=timezone.now())
        added += 1
    return added



def default_pool_ensure() -> Pool:
    """The tenant's general pool (no team, no region) with default rules; idempotent."""
    pool = Pool.objects.filter(team__isnull=True, region="").order_by("pk").first()
    if pool is None:
        pool = Pool.objects.create(name=str(_("Shared pool")))
    PoolRule.objects.get_or_create(pool=pool)
    return pool
