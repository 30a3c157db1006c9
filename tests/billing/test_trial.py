"""The 14-day trial: provisioning sets it up, reminders before it ends, read_only after."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from billing.models import BillingAccount
from billing.services import schedules
from tenants.models import Tenant, TenantStatus

pytestmark = pytest.mark.django_db


def test_sign_up_starts_a_14_day_trial_with_a_billing_account(tenant_a):
    tenant = Tenant.objects.get(pk=tenant_a.tenant.pk)
    assert tenant.status == TenantStatus.TRIAL
    # Measured from the end of provisioning, a few seconds after the row was created.
    trial = tenant.trial_ends_at - tenant.created_at
    assert timedelta(days=14) <= trial <= timedelta(days=14, minutes=5)
    account = BillingAccount.objects.get(tenant=tenant)  # made by the provisioning step
    assert account.plan.code == tenant.plan_code
    assert account.stripe_customer_id == ""


def test_reminders_go_out_once_per_threshold(tenant_a, django_capture_on_commit_callbacks):
    ends = Tenant.objects.get(pk=tenant_a.tenant.pk).trial_ends_at
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        schedules.trial_reminders_send(now=ends - timedelta(days=10))  # too early
        schedules.trial_reminders_send(now=ends - timedelta(days=6))  # the 7-day one
        schedules.trial_reminders_send(now=ends - timedelta(days=5))  # nothing new
        schedules.trial_reminders_send(now=ends - timedelta(hours=20))  # 3 and 1: one mail

    alpha_mail = [m for m in mail.outbox if m.to == ["admin@alpha.test"]]
    assert len(alpha_mail) == 2
    assert "trial" in alpha_mail[0].subject.lower()
    assert BillingAccount.objects.get(tenant=tenant_a.tenant).trial_reminders_sent == [1, 3, 7]


def test_expired_trial_without_subscription_becomes_read_only(tenant_a, tenant_b):
    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(
        trial_ends_at=timezone.now() - timedelta(minutes=1))

    assert schedules.trials_expire() == 1

    assert Tenant.objects.get(pk=tenant_a.tenant.pk).status == TenantStatus.READ_ONLY
    assert Tenant.objects.get(pk=tenant_b.tenant.pk).status == TenantStatus.TRIAL


def test_expired_trial_with_a_paid_subscription_is_left_to_stripe(tenant_a):
    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(
        trial_ends_at=timezone.now() - timedelta(minutes=1))
    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(
        stripe_subscription_id="sub_paid", subscription_status="active")

    assert schedules.trials_expire() == 0
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).status == TenantStatus.TRIAL


def test_daily_task_runs_every_step(tenant_a):
    from billing.tasks import billing_daily

    result = billing_daily.delay().get()

    assert set(result) == {"trial_reminders", "trials_expired", "grace_ended"}


def test_beat_runs_billing_once_in_public():
    from config.schedules import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["billing-daily"]
    assert entry["task"] == "billing.tasks.billing_daily"
    assert entry["tenant_schemas"] == ["public"]
