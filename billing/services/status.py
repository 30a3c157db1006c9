"""Tenant status changes billing makes, each audited (BillingAction).

The rules, in one place:
- trial: 14 days from sign-up, no card. When it ends without a paid subscription the
  tenant becomes read_only (data readable and exportable; paying restores it).
- a subscription Stripe reports ``active``/``trialing``: active (grace cleared).
- ``past_due``/``unpaid``, or an open invoice whose payment failed: past_due with a grace
  period (BILLING_GRACE_DAYS, default 7) starting at the first failure; once the grace period
  has ended (the daily schedule, or the next event): read_only.
- ``canceled`` (Stripe cancels at the end of the paid period): suspended, data kept.
- billing never overrides a suspension an operator made, nor archived/provisioning tenants
  (the transition table in tenants/status.py says so; this module only asks it).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from billing import conf
from billing.models import BillingAccount, BillingAction
from tenants.models import StatusCause, Tenant
from tenants.status import StatusTransitionError, tenant_status_transition
from tenants.users.models import User


def tenant_status_set(
    *, tenant: Tenant, status: str, reason: str, actor_email: str = "",
    cause: str = StatusCause.BILLING, actor: User | None = None,
) -> bool:
    """Move the tenant to ``status`` through the one status writer
    (tenants.status.tenant_status_transition), audited here too; False when nothing changed
    or the transition is not billing's to make (an operator's suspension, an archive...)."""
    with transaction.atomic():
        try:
            result = tenant_status_transition(
                tenant=tenant, to=status, cause=cause, actor=actor, actor_email=actor_email,
                reason=reason,
            )
        except StatusTransitionError:
            return False
        if not result.changed:
            return False
        BillingAction.objects.create(
            tenant=result.tenant, kind=BillingAction.Kind.STATUS_CHANGED, reason=reason,
            operator=actor, actor_email=actor_email,
            before={"status": result.before}, after={"status": result.after},
        )
    return True


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
