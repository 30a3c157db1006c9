"""Operator commands of the console, each with a reason and an OperatorAction row.

Suspend and reactivate live in tenants.services (through the status transition service);
billing changes go through billing's services; this module adds the audit around them.
"""

import re

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from billing.models import BillingAccount, Plan
from billing.services.errors import BillingError
from billing.services.grace import grace_extend
from billing.services.plan_change import billing_plan_change
from billing.services.plans import SyncReport, plan_save
from billing.stripe_client import StripeError
from tenants.models import Domain, OperatorAction, ProvisioningJob, Tenant
from tenants.provisioning.services import ProvisioningRetryError, provisioning_job_retry
from tenants.services import TenantActionError, operator_action_record
from tenants.users.models import User
from tenants.users.permissions import is_operator

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _operator_and_reason(actor: User, reason: str) -> str:
    if not is_operator(actor):
        raise TenantActionError(_("Only platform operators can do this."))
    reason = (reason or "").strip()
    if not reason:
        raise TenantActionError(_("Give a reason; it is kept in the audit log."))
    return reason


def tenant_grace_extend(*, tenant: Tenant, actor: User, days: int, reason: str) -> BillingAccount:
    """Billing's grace extension, with the operator audit row in the same transaction."""
    reason = _operator_and_reason(actor, reason)
    with transaction.atomic():
        before = BillingAccount.objects.filter(tenant=tenant).values_list(
            "grace_ends_at", flat=True).first()
        try:
            account = grace_extend(tenant=tenant, actor=actor, days=days, reason=reason)
        except BillingError as exc:
            raise TenantActionError(str(exc)) from exc
        operator_action_record(
            tenant=tenant, actor=actor, action="extend_grace", reason=reason,
            before={"grace_ends_at": before.isoformat() if before else None},
            after={"grace_ends_at": account.grace_ends_at.isoformat(), "days": days},
        )
    return account


def tenant_plan_change(*, tenant: Tenant, actor: User, plan_code: str, reason: str) -> Tenant:
    """Move the tenant to another plan through billing (Stripe first when subscribed)."""
    reason = _operator_and_reason(actor, reason)
    before = tenant.plan_code
    try:
        billing_plan_change(tenant=tenant, actor=actor, plan_code=plan_code)
    except (BillingError, StripeError) as exc:
        raise TenantActionError(str(exc)) from exc
    operator_action_record(tenant=tenant, actor=actor, action="change_plan", reason=reason,
                           before={"plan": before}, after={"plan": plan_code})
    tenant.plan_code = plan_code
    return tenant


def host_name_normalise(host: str) -> str:
    """A custom domain as stored: lowercase, no trailing dot; ValueError with a message
    when it is not a host name we can serve."""
    host = (host or "").strip().lower().rstrip(".")
    if not host or len(host) > 253:
        raise ValueError(_("Enter a host name such as crm.example.com."))
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(_("Enter a host name such as crm.example.com (letters, digits, "
                           "hyphens and dots only)."))
    if labels[-1].isdigit():
        raise ValueError(_("Enter a host name, not an IP address."))
    platform = settings.PLATFORM_DOMAIN.lower()
    if host == platform or host.endswith("." + platform):
        raise ValueError(_("Addresses under %(domain)s are the platform's own.")
                         % {"domain": platform})
    return host


def tenant_domain_add(*, tenant: Tenant, actor: User, host: str, reason: str) -> Domain:
    """Add a custom host name to the tenant (unique across all tenants)."""
    reason = _operator_and_reason(actor, reason)
    try:
        host = host_name_normalise(host)
    except ValueError as exc:
        raise TenantActionError(str(exc)) from exc
    with transaction.atomic():
        if Domain.objects.select_for_update().filter(domain=host).exists():
            raise TenantActionError(_("%(host)s is in use already.") % {"host": host})
        domain = Domain.objects.create(tenant=tenant, domain=host, is_primary=False)
        operator_action_record(tenant=tenant, actor=actor, action="add_domain", reason=reason,
                               after={"domain": host})
    return domain


def plan_edit(*, plan: Plan, actor: User, reason: str, changed: list[str]) -> SyncReport:
    """Save an operator's edit of a plan (or a new plan), synced to Stripe first through
    billing's plan sync; audited with the fields that changed."""
    reason = _operator_and_reason(actor, reason)
    creating = plan.pk is None
    try:
        report = plan_save(plan=plan)
    except StripeError as exc:
        raise TenantActionError(str(exc)) from exc
    operator_action_record(
        actor=actor, action="create_plan" if creating else "edit_plan", reason=reason,
        target=f"plan {plan.code}",
        after={name: str(getattr(plan, name)) for name in changed},
    )
    return report


def provisioning_retry(*, job: ProvisioningJob, actor: User, reason: str) -> ProvisioningJob:
    """Retry a failed provisioning job through the provisioning service; audited on the
    tenant it builds."""
    reason = _operator_and_reason(actor, reason)
    try:
        job = provisioning_job_retry(job_id=job.pk)
    except ProvisioningRetryError as exc:
        raise TenantActionError(str(exc)) from exc
    OperatorAction.objects.create(
        tenant=Tenant.objects.filter(pk=job.tenant_id).first(), operator=actor,
        action="retry_provisioning", reason=reason, target=f"job {job.pk}",
        after={"state": job.state, "attempts": job.attempts},
    )
    return job
