"""The nightly reclaim, by time travel (``now=``): idle accounts go back to the pool, owners
are warned K days before (once), won deals and new activities move the deadline, and a
second run changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.activities.models import ActivityKind
from crm.activities.services import activity_log
from crm.core.models import AuditEntry, Notification
from crm.pool.models import OwnershipChange, OwnershipChangeKind, PoolMembership
from crm.pool.services import pool_add_accounts, pool_claim, pool_create, reclaim_idle_accounts
from crm.pool.tasks import reclaim_idle_pool_accounts
from crm.sales.models import Opportunity
from crm.sales.services import default_pipeline
from tests.crm.accounts.factories import make_account

T0 = timezone.now().replace(microsecond=0) - timedelta(days=400)


@pytest.fixture
def pool(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        return pool_create(actor=None, name="Rules pool", max_accounts_per_rep=10,
                           reclaim_after_days_without_activity=15,
                           reclaim_after_days_without_won_deal=None, warn_days_before=3)


def _claimed(pool, rep, name="Idle Co", at=T0):
    account = make_account(owner=None, name=name)
    pool_add_accounts(pool=pool, accounts=[account], actor=None)
    pool_claim(account=account, actor=rep, now=at)
    account.refresh_from_db()
    return account


def test_reclaim_moves_idle_account_to_pool_after_15_days(tenant_a, in_tenant, people_a, pool):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        account = _claimed(pool, rep)
        assert reclaim_idle_accounts(now=T0 + timedelta(days=14, hours=23)).reclaimed == 0
        account.refresh_from_db()
        assert account.owner_id == rep.pk
        result = reclaim_idle_accounts(now=T0 + timedelta(days=15))
        account.refresh_from_db()
        assert result.reclaimed == 1
        assert account.owner_id is None
        change = OwnershipChange.objects.filter(account=account).first()
        assert (change.kind, change.from_user_id, change.to_user_id) == (
            OwnershipChangeKind.RECLAIM, rep.pk, None)
        assert "15 days" in change.reason
        assert Notification.objects.filter(recipient=rep, verb="pool_reclaimed").exists()
        assert AuditEntry.objects.filter(object_id=account.pk, changes__has_key="owner").exists()
        assert PoolMembership.objects.get(account=account).owner_since is None


def test_a_follow_up_activity_moves_the_deadline(tenant_a, in_tenant, people_a, pool):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        account = _claimed(pool, rep)
        activity_log(actor=rep, kind=ActivityKind.CALL, subject="Follow-up", target=account,
                     occurred_at=T0 + timedelta(days=10))
        assert reclaim_idle_accounts(now=T0 + timedelta(days=20)).reclaimed == 0
        assert reclaim_idle_accounts(now=T0 + timedelta(days=25)).reclaimed == 1


def test_an_old_activity_before_the_claim_does_not_count_against_the_new_owner(
        tenant_a, in_tenant, people_a, pool):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        account = make_account(owner=None)
        activity_log(actor=None, kind=ActivityKind.CALL, subject="long ago", target=account,
                     occurred_at=T0 - timedelta(days=100))
        pool_add_accounts(pool=pool, accounts=[account], actor=None)
        pool_claim(account=account, actor=rep, now=T0)
        assert reclaim_idle_accounts(now=T0 + timedelta(days=1)).reclaimed == 0


def test_owner_is_warned_3_days_before_once_per_deadline(
        tenant_a, in_tenant, people_a, pool, django_capture_on_commit_callbacks):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        account = _claimed(pool, rep)
        assert reclaim_idle_accounts(now=T0 + timedelta(days=11)).warned == 0
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert reclaim_idle_accounts(now=T0 + timedelta(days=12)).warned == 1
        assert callbacks  # the e-mail is queued after commit
        assert reclaim_idle_accounts(now=T0 + timedelta(days=12)).warned == 0
        assert reclaim_idle_accounts(now=T0 + timedelta(days=13)).warned == 0
        warnings = Notification.objects.filter(recipient=rep, verb="pool_warning")
        assert warnings.count() == 1
        assert account.name in warnings[0].message
        # New activity: a new deadline, so a new warning when it comes near.
        activity_log(actor=rep, kind=ActivityKind.CALL, subject="saved it", target=account,
                     occurred_at=T0 + timedelta(days=13))
        assert reclaim_idle_accounts(now=T0 + timedelta(days=14)).warned == 0
        assert reclaim_idle_accounts(now=T0 + timedelta(days=25)).warned == 1


def test_reclaim_without_a_won_deal(tenant_a, in_tenant, people_a):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        pool = pool_create(actor=None, name="Deals pool", reclaim_after_days_without_activity=None,
                           reclaim_after_days_without_won_deal=90, warn_days_before=0)
        winner = _claimed(pool, rep, name="Winner")
        loser = _claimed(pool, rep, name="Loser")
        won_stage = default_pipeline().stages.get(is_won=True)
        Opportunity.objects.create(account=winner, name="Won", amount=100, currency="USD",
                                   close_date=(T0 + timedelta(days=60)).date(),
                                   pipeline=won_stage.pipeline, stage=won_stage, owner=rep,
                                   closed_at=T0 + timedelta(days=60))
        result = reclaim_idle_accounts(now=T0 + timedelta(days=91))
        winner.refresh_from_db()
        loser.refresh_from_db()
        assert result.reclaimed == 1
        assert (winner.owner_id, loser.owner_id) == (rep.pk, None)
        assert "won deal" in OwnershipChange.objects.filter(account=loser).first().reason
        assert reclaim_idle_accounts(now=T0 + timedelta(days=151)).reclaimed == 1


def test_reclaim_is_idempotent_and_works_in_batches(tenant_a, in_tenant, people_a, pool):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        accounts = [_claimed(pool, rep, name=f"Batch {i}") for i in range(5)]
        late = T0 + timedelta(days=30)
        first = reclaim_idle_accounts(now=late, batch_size=2)
        changes = OwnershipChange.objects.count()
        notifications = Notification.objects.count()
        second = reclaim_idle_accounts(now=late, batch_size=2)
        assert (first.reclaimed, second.reclaimed, second.warned) == (5, 0, 0)
        assert OwnershipChange.objects.count() == changes
        assert Notification.objects.count() == notifications
        for account in accounts:
            account.refresh_from_db()
            assert account.owner_id is None


def test_inactive_pools_reclaim_nothing(tenant_a, in_tenant, people_a, pool):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        _claimed(pool, rep)
        pool.active = False
        pool.save()
        assert reclaim_idle_accounts(now=T0 + timedelta(days=60)).reclaimed == 0


def test_nightly_task_runs_the_reclaim_in_eager_mode_and_twice_is_safe(
        tenant_a, in_tenant, people_a, pool):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        account = _claimed(pool, rep, at=timezone.now() - timedelta(days=20))
        assert reclaim_idle_pool_accounts.delay().get() == {"reclaimed": 1, "warned": 0}
        assert reclaim_idle_pool_accounts.delay().get() == {"reclaimed": 0, "warned": 0}
        account.refresh_from_db()
        assert account.owner_id is None


def test_the_schedule_runs_reclaim_and_reminders_in_every_tenant():
    from config.schedules import BEAT_SCHEDULE

    reclaim = BEAT_SCHEDULE["crm-pool-reclaim"]
    reminders = BEAT_SCHEDULE["crm-activity-reminders"]
    assert reclaim["task"] == "crm.pool.tasks.reclaim_idle_pool_accounts"
    assert reminders["task"] == "crm.activities.tasks.send_activity_reminders"
    assert "tenant_schemas" not in reclaim
    assert "tenant_schemas" not in reminders
