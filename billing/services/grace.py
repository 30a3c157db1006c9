"""Operators extend a tenant's grace period (audited)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import BillingAccount, BillingAction
from billing.services.accounts import billing_account_ensure
from billing.services.errors import BillingError
from billing.services.status import tenant_status_set
from tenants.models import StatusCause, Tenant, TenantStatus
from tenants.users.models import User
from tenants.users.permissions import is_operator

MAX_EXTENSION_DAYS = 60


def grace_extend(*, tenant: Tenant, actor: User, days: int, reason: str) -> BillingAccount:
    """Push the grace period ``days`` past today or past its current end, whichever is
    later; a tenant made read-only by an unpaid invoice is back to past_due."""
    if not is_operator(actor):
        raise BillingError(_("Only platform operators can extend a grace period."))
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise BillingError(
            _("Extend by 1 to %(max)s days.") % {"max": MAX_EXTENSION_DAYS}
        )
    if not reason.strip():
        raise BillingError(_("Give a reason; it is kept in the audit log."))
    if tenant.status not in (TenantStatus.PAST_DUE, TenantStatus.READ_ONLY):
        raise BillingError(_("Only past-due or read-only workspaces have a grace period."))
    account = billing_account_ensure(tenant=tenant)
    now = timezone.now()
    with transaction.atomic():
        account = BillingAccount.objects.select_for_update().get(pk=account.pk)
        before = account.grace_ends_at
        start = max(before or now, now)
        account.grace_ends_at = start + timedelta(days=days)
        account.save(update_fields=["grace_ends_at", "updated_at"])
        BillingAction.objects.create(
            tenant=tenant, operator=actor, actor_email=actor.email,
            kind=BillingAction.Kind.GRACE_EXTENDED, reason=reason.strip(),
            before={"grace_ends_at": before.isoformat() if before else None,
                    "status": tenant.status},
            after={"grace_ends_at": account.grace_ends_at.isoformat(), "days": days},
        )
        if tenant.status == TenantStatus.READ_ONLY:
            tenant_status_set(tenant=tenant, status=TenantStatus.PAST_DUE,
                              reason=f"grace extended by {actor.email}: {reason.strip()}",
                              actor_email=actor.email, cause=StatusCause.OPERATOR,
                              actor=actor)
    return account
