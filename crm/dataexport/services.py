"""Whole-tenant exports: request (admins, or an operator from the console), build (Celery,
in the tenant's schema), download (audited), expire after the retention period.

    export = export_request(actor=admin)          # queued after commit
    export_build(export_id=export.pk)             # what the task runs; safe to run twice
    handle = export_open_for_download(export=export, actor=admin)
"""

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from crm.core.audit import audit_event
from crm.dataexport import archive
from crm.dataexport.models import ExportStatus, TenantExport
from tenants.users.models import User
from tenants.users.permissions import Capability, can

logger = logging.getLogger(__name__)

# A build that has not finished after this long is taken for dead (its worker went away):
# a new request no longer waits for it.
STALE_AFTER = timedelta(hours=6)
UNFINISHED = (ExportStatus.PENDING, ExportStatus.RUNNING)


class ExportUnavailableError(Exception):
    """The export cannot be downloaded (not ready, failed, or past its retention)."""


def retention() -> timedelta:
    return timedelta(days=settings.TENANT_EXPORT_RETENTION_DAYS)


def _require_admin(actor: User | None, operator_label: str) -> None:
    if actor is None:
        if not operator_label:
            raise PermissionDenied("An export needs an admin or a named operator.")
        return
    if not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied


def export_request(
    *, actor: User | None, operator_label: str = "", reason: str = ""
) -> TenantExport:
    """Ask for an export of the current tenant and queue its build after commit.

    ``actor`` is a tenant admin; a platform operator (no user in this schema) passes
    ``actor=None`` and ``operator_label`` (their e-mail). While a build is under way the
    same export is returned (and not built twice).
    """
    _require_admin(actor, operator_label)
    with transaction.atomic():
        running = (
            TenantExport.objects.select_for_update()
            .filter(status__in=UNFINISHED, created_at__gt=timezone.now() - STALE_AFTER)
            .first()
        )
        if running is not None:
            return running
        export = TenantExport.objects.create(
            requested_by=actor, requested_by_label=operator_label or (actor.email if actor else "")
        )
        data: dict[str, object] = {}
        if actor is None:
            data = {"operator": operator_label, "reason": reason}
        audit_event(instance=export, action="export.requested", actor=actor, data=data)
        schema_name = connection.schema_name
        transaction.on_commit(lambda: _enqueue_build(schema_name, export.pk))
    return export


def _enqueue_build(schema_name: str, export_id: int) -> None:
    from crm.dataexport.tasks import build_tenant_export

    # The task runs in the schema it is sent from (tenant-schemas-celery): send it from the
    # tenant's, whatever schema the committing caller has moved on to.
    with schema_context(schema_name):
        try:
            build_tenant_export.delay(export_id)
        except Exception:
            # The broker is down: the request is recorded; the status page says it waits,
            # and asking again once the broker is back queues it.
            logger.exception("Could not queue export %s of %s", export_id, schema_name)
            TenantExport.objects.filter(pk=export_id, status=ExportStatus.PENDING).update(
                status=ExportStatus.FAILED,
                error=_("The export could not be queued. Please try again in a few minutes."),
            )


@contextmanager
def _build_lock(export_id: int) -> Iterator[bool]:
    """A session-level advisory lock per (schema, export): a second worker handed the same
    task (a redelivery while the first still runs) does nothing. Released when the build
    ends or its connection dies with the worker."""
    key = (connection.schema_name, export_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s), %s)", list(key))
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s), %s)", list(key))


def export_build(*, export_id: int) -> TenantExport | None:
    """Build the export's archive in the current tenant's schema.

    Safe to run twice: a finished or expired export is left alone, a build already running
    elsewhere is not started again, and an interrupted or failed one starts over.
    """
    export = TenantExport.objects.filter(pk=export_id).first()
    if export is None or export.status in (ExportStatus.SUCCEEDED, ExportStatus.EXPIRED):
        return export
    with _build_lock(export_id) as acquired:
        if not acquired:
            return export
        return _build(export)


def _build(export: TenantExport) -> TenantExport:
    schema_name = connection.schema_name
    tables = archive.tenant_tables(schema_name)
    storage = export.file.storage
    if export.file:  # a previous attempt's file
        storage.delete(export.file.name)
    TenantExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), tables_total=len(tables),
        tables_done=0, files_done=0, error="", file="",
    )

    def progress(done: int) -> None:
        TenantExport.objects.filter(pk=export.pk).update(tables_done=done)

    try:
        with tempfile.NamedTemporaryFile(suffix=".zip") as scratch:
            summary = archive.write_tenant_archive(
                scratch, schema_name=schema_name, tables=tables, on_table_done=progress
            )
            scratch.flush()
            size = scratch.tell()
            scratch.seek(0)
            name = f"exports/{export.token}.zip"
            if storage.exists(name):
                storage.delete(name)
            saved_name = storage.save(name, File(scratch, name=name))
    except Exception as exc:
        logger.exception("Export %s of %s failed", export.pk, schema_name)
        TenantExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    finished = timezone.now()
    TenantExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.SUCCEEDED, file=saved_name, size_bytes=size,
        tables_done=len(tables), files_done=summary.files, finished_at=finished,
        expires_at=finished + retention(),
    )
    export.refresh_from_db()
    return export


def export_open_for_download(
    *, export: TenantExport, actor: User | None, operator_label: str = ""
) -> File:
    """The export's file, opened for reading, and the download recorded in the audit log.
    Raises ExportUnavailableError when it is not ready or past its retention."""
    _require_admin(actor, operator_label)
    if not export.is_downloadable:
        raise ExportUnavailableError(_("This export is not available for download."))
    try:
        handle = export.file.open("rb")
    except FileNotFoundError as exc:
        raise ExportUnavailableError(_("This export is not available for download.")) from exc
    data = {"operator": operator_label} if actor is None else {}
    audit_event(instance=export, action="export.downloaded", actor=actor, data=data)
    return handle


def exports_purge_expired(*, now: datetime | None = None) -> int:
    """Delete the files of exports past their retention (and of failed builds older than
    it); each such export is marked expired. Idempotent."""
    now = now or timezone.now()
    purged = 0
    stale = TenantExport.objects.filter(
        status=ExportStatus.SUCCEEDED, expires_at__lte=now
    ) | TenantExport.objects.filter(
        status=ExportStatus.FAILED, created_at__lte=now - retention()
    ).exclude(file="")
    for export in stale:
        if export.file:
            export.file.storage.delete(export.file.name)
        TenantExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.EXPIRED if export.status == ExportStatus.SUCCEEDED
            else export.status,
            file="",
        )
        purged += 1
    return purged


def exports_discard_all() -> int:
    """Retire every export of the current tenant that still has a file (they hold data that
    was just erased): marked expired now, the files deleted once the caller commits."""
    with_files = list(TenantExport.objects.exclude(file="").values_list("pk", "file"))
    if not with_files:
        return 0
    TenantExport.objects.filter(pk__in=[pk for pk, _name in with_files]).update(
        status=ExportStatus.EXPIRED, file=""
    )
    storage = TenantExport._meta.get_field("file").storage
    schema_name = connection.schema_name

    def delete_files() -> None:
        with schema_context(schema_name):  # the storage's folder follows the schema
            for _pk, name in with_files:
                storage.delete(name)

    transaction.on_commit(delete_files)
    return len(with_files)
