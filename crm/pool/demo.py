"""Demo data: the shared pool with accounts waiting to be claimed (with the reasons their
last owners gave), a regional pool, and a few accounts the demo rep holds that the nightly
reclaim will take back (or warn about). Deterministic and idempotent; skipped when there
are no accounts yet."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from crm.accounts.models import Account
from crm.accounts.services import account_owner_set
from crm.pool.models import OwnershipChange, OwnershipChangeKind, Pool, PoolMembership, PoolRule
from crm.pool.services import default_pool_ensure
from tenants.demo import demo_seeder
from tenants.users.models import User

RETURN_REASONS = ("No budget this year; try again in Q3.",
                  "Contact left the company, no new lead.",
                  "客户已选择竞争对手, 两年后合同到期。",
                  "Too small for key-account coverage.")
POOL_SIZE = 30
REP_HELD = 6


@demo_seeder(name="pool", order=50)
def seed_pool() -> None:
    accounts = list(Account.objects.order_by("-pk")[: POOL_SIZE + REP_HELD])
    if not accounts:
        return
    rep = User.objects.filter(email="rep@demo.test").first()
    now = timezone.now()
    with transaction.atomic():
        pool = default_pool_ensure()
        PoolRule.objects.filter(pool=pool).update(
            max_accounts_per_rep=40, reclaim_after_days_without_activity=30,
            reclaim_after_days_without_won_deal=365, warn_days_before=5)
        region_pool, _created = Pool.objects.get_or_create(name="华东 East China",
                                                           defaults={"region": "华东"})
        PoolRule.objects.get_or_create(pool=region_pool, defaults={
            "max_accounts_per_rep": 20, "reclaim_after_days_without_activity": 45})
        pooled, held = accounts[:POOL_SIZE], accounts[POOL_SIZE:]
        for index, account in enumerate(pooled):
            target = region_pool if account.region == "华东" else pool
            PoolMembership.objects.get_or_create(account=account, defaults={"pool": target})
            if account.owner_id is not None:
                previous = account.owner_id
                account_owner_set(account=account, actor=None, owner=None)
                if not OwnershipChange.objects.filter(account=account).exists():
                    OwnershipChange.objects.create(
                        account=account, pool=target, kind=OwnershipChangeKind.RETURN,
                        from_user_id=previous, actor_id=previous,
                        reason=RETURN_REASONS[index % len(RETURN_REASONS)],
                        at=now - timedelta(days=10 + index))
        if rep is None:
            return
        for index, account in enumerate(held):
            # Held for 40 days, last touched 27-32 days ago: some due for reclaim tonight,
            # some inside the warning window.
            since = now - timedelta(days=40)
            PoolMembership.objects.update_or_create(account=account, defaults={
                "pool": pool, "owner_since": since})
            if account.owner_id != rep.pk or not OwnershipChange.objects.filter(
                    account=account).exists():
                account_owner_set(account=account, actor=None, owner=rep,
                               last_activity_at=now - timedelta(days=27 + index))
            if not OwnershipChange.objects.filter(account=account).exists():
                OwnershipChange.objects.create(account=account, pool=pool,
                                               kind=OwnershipChangeKind.CLAIM, to_user=rep,
                                               actor=rep, at=since)
