"""Operator commands on tenants (audited) and the cross-schema reads the console needs."""

from django.db import connection, transaction
from django.utils.translation import gettext as _

from tenants.models import OperatorAction, Tenant, TenantKind, TenantStatus
from tenants.users.models import User, UserKind


class TenantActionError(Exception):
    pass


def tenant_suspend(*, tenant: Tenant, actor: User, reason: str) -> Tenant:
    if tenant.kind != TenantKind.CUSTOMER:
        raise TenantActionError(_("Only customer workspaces can be suspended."))
    if tenant.status == TenantStatus.SUSPENDED:
        raise TenantActionError(_("This workspace is already suspended."))
    return _tenant_set_status(
        tenant=tenant, status=TenantStatus.SUSPENDED, actor=actor, action="suspend", reason=reason
    )


def tenant_reactivate(*, tenant: Tenant, actor: User, reason: str) -> Tenant:
    if tenant.status not in (TenantStatus.SUSPENDED, TenantStatus.ARCHIVED, TenantStatus.READ_ONLY):
        raise TenantActionError(
            _("Only suspended, archived or read-only workspaces can be reactivated.")
        )
    # Back to where billing says it belongs: a trial that has not ended, else active.
    status = TenantStatus.TRIAL if _trial_running(tenant) else TenantStatus.ACTIVE
    return _tenant_set_status(
        tenant=tenant, status=status, actor=actor, action="reactivate", reason=reason
    )


def _trial_running(tenant: Tenant) -> bool:
    from django.utils import timezone

    return bool(tenant.trial_ends_at and tenant.trial_ends_at > timezone.now())


def _tenant_set_status(
    *, tenant: Tenant, status: str, actor: User, action: str, reason: str
) -> Tenant:
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        before = {"status": locked.status}
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        OperatorAction.objects.create(
            tenant=locked, operator=actor, action=action, reason=reason,
            before=before, after={"status": status},
        )
    return locked


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
