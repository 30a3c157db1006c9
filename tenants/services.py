"""Operator commands on tenants (audited) and the cross-schema reads the console needs."""

from django.db import connection, transaction
from django.utils.translation import gettext as _

from tenants.models import OperatorAction, StatusCause, Tenant, TenantKind, TenantStatus
from tenants.status import (
    ReactivationPlan,
    StatusTransitionError,
    reactivation_target,
    tenant_status_transition,
)
from tenants.users.models import User, UserKind


class TenantActionError(Exception):
    pass


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise TenantActionError(_("Give a reason; it is kept in the audit log."))
    return reason


def operator_action_record(
    *, actor: User, action: str, reason: str, tenant: Tenant | None = None, target: str = "",
    before: dict | None = None, after: dict | None = None,
) -> OperatorAction:
    """The audit row of one operator action (call inside the action's transaction)."""
    return OperatorAction.objects.create(
        tenant=tenant, operator=actor, action=action, reason=reason, target=target,
        before=before or {}, after=after or {},
    )


def tenant_suspend(*, tenant: Tenant, actor: User, reason: str) -> Tenant:
    reason = _reason_required(reason)
    if tenant.kind != TenantKind.CUSTOMER:
        raise TenantActionError(_("Only customer workspaces can be suspended."))
    if tenant.status == TenantStatus.SUSPENDED:
        raise TenantActionError(_("This workspace is already suspended."))
    return _operator_transition(tenant=tenant, to=TenantStatus.SUSPENDED, actor=actor,
                                action="suspend", reason=reason)


def tenant_reactivation_plan(*, tenant: Tenant) -> ReactivationPlan:
    """Where reactivating ``tenant`` would take it, from its billing account."""
    from billing.services.accounts import billing_account_ensure

    account = billing_account_ensure(tenant=tenant)
    return reactivation_target(
        tenant=tenant,
        subscription_status=account.subscription_status if account.has_subscription else "",
        grace_ends_at=account.grace_ends_at,
    )


def tenant_reactivate(*, tenant: Tenant, actor: User, reason: str) -> Tenant:
    """Back to where billing says the tenant belongs (tenants.status.reactivation_target):
    never active without a paying subscription. A tenant with neither a subscription nor a
    running trial stays suspended (TenantActionError saying so) or, coming out of archived,
    becomes suspended; a read-only one without a subscription stays read-only."""
    reason = _reason_required(reason)
    if tenant.status not in (TenantStatus.SUSPENDED, TenantStatus.ARCHIVED, TenantStatus.READ_ONLY):
        raise TenantActionError(
            _("Only suspended, archived or read-only workspaces can be reactivated.")
        )
    plan = tenant_reactivation_plan(tenant=tenant)
    if plan.subscription_missing and tenant.status == TenantStatus.READ_ONLY:
        raise TenantActionError(_(
            "The workspace has no subscription and its trial has ended, so it stays "
            "read-only until its administrators subscribe under Settings > Billing."))
    if plan.to == tenant.status:
        raise TenantActionError(plan.message)
    return _operator_transition(tenant=tenant, to=plan.to, actor=actor, action="reactivate",
                                reason=reason)


def _operator_transition(
    *, tenant: Tenant, to: str, actor: User, action: str, reason: str
) -> Tenant:
    with transaction.atomic():
        try:
            result = tenant_status_transition(
                tenant=tenant, to=to, cause=StatusCause.OPERATOR, actor=actor, reason=reason
            )
        except StatusTransitionError as exc:
            raise TenantActionError(str(exc)) from exc
        operator_action_record(
            tenant=result.tenant, actor=actor, action=action, reason=reason,
            before={"status": result.before}, after={"status": result.after},
        )
    return result.tenant


def staff_counts(tenants: list[Tenant]) -> dict[int, int]:
    """Active staff users per tenant, in one query across the given schemas."""
    customers = [t for t in tenants if t.kind == TenantKind.CUSTOMER]
    existing = _existing_schemas([t.schema_name for t in customers]) if customers else set()
    built = [t for t in customers if t.schema_name in existing]
    if not built:
        return {}
    # Schema names come from our own rows and pass django-tenants' name validator.
    sql = " UNION ALL ".join(
        f'SELECT %s, COUNT(*) FROM "{t.schema_name}".users_user '  # noqa: S608
        "WHERE is_active AND kind = %s"
        for t in built
    )
    params = [value for t in built for value in (t.pk, UserKind.STAFF)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _existing_schemas(names: list[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name = ANY(%s)",
            [names],
        )
        return {row[0] for row in cursor.fetchall()}
