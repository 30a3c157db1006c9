"""Operator commands at the end of a tenant's life, each with a reason and audited.

- ``tenant_export_request``: the tenant's whole-data export (crm.dataexport's service and
  task, sent inside the tenant's schema).
- ``tenant_archive``: the schema stays, nobody signs in (status archived).
- ``tenant_delete``: only with a finished export and the slug typed as confirmation; the
  export's archive is kept, the schema dropped, the domains deleted, the deletion recorded
  in the public schema (``TenantDeletion``).
"""

import logging
import os
import shutil

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists, tenant_context

from tenants.models import (
    Domain,
    OperatorAction,
    StatusCause,
    Tenant,
    TenantDeletion,
    TenantKind,
    TenantStatus,
)
from tenants.users.models import User

logger = logging.getLogger(__name__)

# Where the final exports of deleted tenants are kept (under PRIVATE_MEDIA_ROOT; no schema
# is ever named like this: schema names start with t_, tpl_ or spare_).
DELETED_EXPORTS_FOLDER = "_deleted_tenants"


class LifecycleError(Exception):
    """The operator's request cannot be carried out; the message says why."""


def _require_customer(tenant: Tenant) -> None:
    if tenant.kind != TenantKind.CUSTOMER:
        raise LifecycleError(_("Only customer workspaces can be exported, archived or deleted."))
    if tenant.status == TenantStatus.PROVISIONING or not schema_exists(tenant.schema_name):
        raise LifecycleError(_("This workspace has not been set up yet."))


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise LifecycleError(_("Give a reason; it is kept in the audit log."))
    return reason


def tenant_export_request(*, tenant: Tenant, operator: User, reason: str) -> int:
    """Start (or join the running) export of the tenant; returns the export's id."""
    from crm.dataexport.services import export_request

    _require_customer(tenant)
    reason = _require_reason(reason)
    with transaction.atomic():
        with tenant_context(tenant):
            export = export_request(actor=None, operator_label=operator.email, reason=reason)
        OperatorAction.objects.create(
            tenant=tenant, operator=operator, action="export", reason=reason,
            before={}, after={"export_id": export.pk},
        )
    return export.pk


def tenant_export_download_record(*, tenant: Tenant, operator: User, export_id: int) -> None:
    """The operator's download in the public audit trail (the tenant's own audit log gets
    its entry from crm.dataexport.services.export_open_for_download)."""
    OperatorAction.objects.create(
        tenant=tenant, operator=operator, action="export.download",
        reason=_("Downloaded the export"), before={}, after={"export_id": export_id},
    )


def tenant_archive(*, tenant: Tenant, operator: User, reason: str) -> Tenant:
    """Archive the tenant: its schema and data stay, its hosts refuse everyone, sign-in
    included (tenants.middleware.TenantStatusMiddleware). The status moves through the one
    transition service; the operator audit gets its row here."""
    from tenants.status import StatusTransitionError, tenant_status_transition

    _require_customer(tenant)
    reason = _require_reason(reason)
    with transaction.atomic():
        try:
            transition = tenant_status_transition(
                tenant=tenant, to=TenantStatus.ARCHIVED, cause=StatusCause.OPERATOR,
                actor=operator, actor_email=operator.email, reason=reason,
            )
        except StatusTransitionError as exc:
            raise LifecycleError(str(exc)) from exc
        if not transition.changed:
            raise LifecycleError(_("This workspace is already archived."))
        OperatorAction.objects.create(
            tenant=transition.tenant, operator=operator, action="archive", reason=reason,
            before={"status": transition.before}, after={"status": transition.after},
        )
    return transition.tenant


def _live_subscription(tenant: Tenant) -> bool:
    from billing.models import BillingAccount

    account = BillingAccount.objects.filter(tenant=tenant).first()
    return bool(account and account.has_subscription)


def _keep_export_file(source: str, *, tenant: Tenant) -> str:
    """Put the final export where it outlives the tenant's folder; the path relative to
    PRIVATE_MEDIA_ROOT. A hard link where possible (no copy of a large file)."""
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    relative = os.path.join(DELETED_EXPORTS_FOLDER, f"{tenant.slug}-{tenant.pk}-{stamp}",
                            os.path.basename(source))
    target = os.path.join(settings.PRIVATE_MEDIA_ROOT, relative)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
    return relative


def tenant_delete(*, tenant: Tenant, operator: User, reason: str, confirm_slug: str
                  ) -> TenantDeletion:
    """Delete the tenant for good. Needs a finished export (kept with the deletion record)
    and the tenant's slug typed by the operator."""
    from crm.dataexport.selectors import export_latest_ready
    from crm.dataexport.storage import media_root_for, private_root_for, protected_root_for

    _require_customer(tenant)
    reason = _require_reason(reason)
    if (confirm_slug or "").strip() != tenant.slug:
        raise LifecycleError(_("Type the workspace's slug exactly to confirm the deletion."))
    if _live_subscription(tenant):
        raise LifecycleError(_("This workspace still has a subscription. Cancel it first."))
    with tenant_context(tenant):
        export = export_latest_ready()
        export_path = export.file.path if export is not None else ""
        export_info = (
            {"size": export.size_bytes, "finished_at": export.finished_at} if export else {}
        )
    if export is None or not os.path.isfile(export_path):
        raise LifecycleError(_("Export the workspace's data first; deletion keeps the last "
                               "finished export."))
    kept = _keep_export_file(export_path, tenant=tenant)
    schema_name = tenant.schema_name
    try:
        with transaction.atomic():
            locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
            history = [
                {"action": a.action, "reason": a.reason, "before": a.before, "after": a.after,
                 "operator": a.operator.email if a.operator else "",
                 "at": a.created_at.isoformat()}
                for a in locked.operator_actions.select_related("operator").order_by("created_at")
            ]
            deletion = TenantDeletion.objects.create(
                tenant_pk=locked.pk, slug=locked.slug, name=locked.name,
                schema_name=schema_name, operator=operator, operator_email=operator.email,
                reason=reason, export_file=kept, export_size_bytes=export_info["size"],
                export_finished_at=export_info["finished_at"], operator_actions=history,
            )
            with connection.cursor() as cursor:
                # Deferred FK checks of rows written earlier in this transaction would block
                # DROP SCHEMA: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            Domain.objects.filter(tenant=locked).delete()
            locked.delete(force_drop=True)  # drops the schema (auto_drop_schema)
    except Exception:
        os.remove(os.path.join(settings.PRIVATE_MEDIA_ROOT, kept))
        raise

    def remove_folders() -> None:
        for folder in (private_root_for(schema_name), media_root_for(schema_name),
                       protected_root_for(schema_name)):
            shutil.rmtree(folder, ignore_errors=True)

    transaction.on_commit(remove_folders)
    logger.info("Tenant %s deleted by %s", deletion.slug, operator.email)
    return deletion

