"""The activities and pool demo seeders: skip without accounts, deterministic, idempotent,
and they leave the nightly reclaim something to do."""

from django.utils import timezone

from crm.activities.demo import seed_activities
from crm.activities.models import Activity, ActivityComment, ActivityLike
from crm.pool.demo import seed_pool
from crm.pool.models import OwnershipChange, PoolMembership
from crm.pool.services import reclaim_idle_accounts
from tenants.users.models import Role, User
from tests.crm.accounts.factories import make_account


def test_seeders_skip_gracefully_without_accounts(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        seed_activities()
        seed_pool()
        assert not Activity.objects.exists()
        assert not PoolMembership.objects.exists()


def test_seeders_are_idempotent_and_leave_reclaimable_accounts(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        rep = User.objects.create_user(email="rep@demo.test", password="x", role=Role.SALES_REP)
        User.objects.create_user(email="manager@demo.test", password="x", role=Role.MANAGER)
        for index in range(45):
            make_account(owner=rep if index % 2 else None, name=f"Demo account {index}",
                         region="华东" if index % 5 == 0 else "North")
        seed_activities()
        seed_pool()
        counts = (Activity.objects.count(), ActivityComment.objects.count(),
                  ActivityLike.objects.count(), PoolMembership.objects.count(),
                  OwnershipChange.objects.count())
        assert counts[0] > 45
        assert counts[3] == 36
        seed_activities()
        seed_pool()
        assert counts == (Activity.objects.count(), ActivityComment.objects.count(),
                          ActivityLike.objects.count(), PoolMembership.objects.count(),
                          OwnershipChange.objects.count())
        assert PoolMembership.objects.filter(account__owner__isnull=True).count() == 30
        result = reclaim_idle_accounts(now=timezone.now())
        assert result.reclaimed >= 1
        assert result.warned >= 1
