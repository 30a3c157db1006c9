"""What the daily billing schedule does (billing.tasks adapts these to Celery beat):

- trial reminders: at 7, 3 and 1 days before the trial ends (BILLING_TRIAL_REMINDER_DAYS),
  each once, to the tenant's billing admins;
- expired trials: a trial tenant whose ``trial_ends_at`` has passed and that has no live
  subscription becomes read_only (read and export, no changes) until it subscribes;
- ended grace periods: a past_due tenant whose grace period has ended becomes read_only.
"""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import conf
from billing.models import BillingAccount
from billing.services.accounts import billing_account_ensure
from billing.services.notices import admins_notify_later
from billing.services.status import tenant_status_set
from tenants.models import StatusCause, Tenant, TenantKind, TenantStatus


def _customers(status: str) -> QuerySet[Tenant]:
    return Tenant.objects.filter(kind=TenantKind.CUSTOMER, status=status)


def trial_reminders_send(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    sent = 0
    for tenant in _customers(TenantStatus.TRIAL).filter(trial_ends_at__gt=now):
        days_left = (tenant.trial_ends_at - now).total_seconds() / 86400
        account = billing_account_ensure(tenant=tenant)
        due = [d for d in conf.trial_reminder_days()
               if days_left <= d and d not in account.trial_reminders_sent]
        if not due or account.has_subscription:
            continue
        BillingAccount.objects.filter(pk=account.pk).update(
            trial_reminders_sent=sorted({*account.trial_reminders_sent, *due})
        )
        admins_notify_later(
            tenant=tenant, verb="billing_trial_ending",
            subject=_("Your trial of %(name)s ends on %(date)s")
            % {"name": tenant.name, "date": tenant.trial_ends_at.date().isoformat()},
            message=_("The free trial ends on %(date)s. Choose a plan under Settings > "
                      "Billing to keep full access; afterwards the workspace becomes "
                      "read-only until a plan is chosen.")
            % {"date": tenant.trial_ends_at.date().isoformat()},
        )
        sent += 1
    return sent


def trials_expire(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    moved = 0
    for tenant in _customers(TenantStatus.TRIAL).filter(trial_ends_at__lte=now):
        account = billing_account_ensure(tenant=tenant)
        if account.has_subscription:
            continue  # paid; its webhook will (or did) make it active
        if tenant_status_set(tenant=tenant, status=TenantStatus.READ_ONLY,
                             reason="trial ended without a subscription",
                             cause=StatusCause.SYSTEM):
            admins_notify_later(
                tenant=tenant, verb="billing_trial_ended",
                subject=_("Your trial of %(name)s has ended") % {"name": tenant.name},
                message=_("The free trial has ended and the workspace is read-only. Choose "
                          "a plan under Settings > Billing to continue working."),
            )
            moved += 1
    return moved


def grace_periods_enforce(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    moved = 0
    accounts = BillingAccount.objects.select_related("tenant").filter(
        tenant__kind=TenantKind.CUSTOMER, tenant__status=TenantStatus.PAST_DUE,
        grace_ends_at__lte=now,
    )
    for account in accounts:
        if tenant_status_set(tenant=account.tenant, status=TenantStatus.READ_ONLY,
                             reason="grace period ended unpaid", cause=StatusCause.SYSTEM):
            admins_notify_later(
                tenant=account.tenant, verb="billing_read_only",
                subject=_("%(name)s is now read-only") % {"name": account.tenant.name},
                message=_("The payment is still outstanding and the grace period has ended: "
                          "the workspace is read-only. Update the payment method under "
                          "Settings > Billing to restore access."),
            )
            moved += 1
    return moved
