"""Tenant status changes billing makes, each audited (BillingAction).

The rules, in one place:
- trial: 14 days from sign-up, no card. When it ends without a paid subscription the
  tenant becomes read_only (data readable and exportable; paying restores it).
- a subscription Stripe reports ``active``/``trialing``: active (grace cleared).
- ``past_due``/``unpaid``, or an open invoice whose payment failed: past_due with a grace
  period (BILLING_GRACE_DAYS, default 7) starting at the first failure; once the grace period
  has ended (the daily schedule, or the next event): read_only.
- ``canceled`` (Stripe cancels at the end of the paid period): suspended, data kept.
- billing never overrides a suspension an operator made, nor archived/provisioning tenants.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from billing import conf
from billing.models import BillingAccount, BillingAction
from tenants.models import Tenant, TenantKind, TenantStatus

# Statuses billing may move a tenant out of (SUSPENDED only when billing suspended it).
_BILLING_MANAGED = frozenset({
    TenantStatus.TRIAL, TenantStatus.ACTIVE, TenantStatus.PAST_DUE, TenantStatus.READ_ONLY,
})


def tenant_status_set(
    *, tenant: Tenant, status: str, reason: str, actor_email: str = "",
) -> bool:
    """Move the tenant to ``status`` (locked, audited); False when nothing changed."""
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if locked.kind != TenantKind.CUSTOMER or locked.status == status:
            return False
        if locked.status not in _BILLING_MANAGED and not (
            locked.status == TenantStatus.SUSPENDED and _suspended_by_billing(locked)
        ):
            return False
        before = locked.status
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        BillingAction.objects.create(
            tenant=locked, kind=BillingAction.Kind.STATUS_CHANGED, reason=reason,
            actor_email=actor_email, before={"status": before}, after={"status": status},
        )
    tenant.status = status
    return True


def _suspended_by_billing(tenant: Tenant) -> bool:
    last = (
        BillingAction.objects.filter(tenant=tenant, kind=BillingAction.Kind.STATUS_CHANGED)
        .order_by("-created_at", "-id").first()
    )
    return bool(last and last.after.get("status") == TenantStatus.SUSPENDED)


def trial_running(tenant: Tenant, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return bool(tenant.trial_ends_at and tenant.trial_ends_at > now)


def grace_start(*, account: BillingAccount, now: datetime | None = None) -> bool:
    """Start the grace period at the first failed payment; False if already running."""
    if account.grace_ends_at is not None:
        return False
    now = now or timezone.now()
    account.grace_ends_at = now + timedelta(days=conf.grace_days())
    account.save(update_fields=["grace_ends_at", "updated_at"])
    return True


def grace_over(account: BillingAccount, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return bool(account.grace_ends_at and account.grace_ends_at <= now)
