"""Import commands: upload (checks, mapping, queue after commit), preview, templates."""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from crm.core.audit import audit_event
from crm.imports.engine import progress_key
from crm.imports.kinds import KINDS, Context, Kind, RowError, errors_of
from crm.imports.mapping import missing_required, remember_mapping, suggest_mapping
from crm.imports.models import DuplicateStrategy, ImportJob, ImportMode, ImportStatus
from crm.imports.readers import (
    SAMPLE_BYTES,
    UnreadableFileError,
    detect_encoding,
    file_format,
    open_rows,
)
from tenants.users.models import User
from tenants.users.permissions import Capability, can

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 20


def max_upload_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))


def kind_for(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise ValidationError({"kind": _("Unknown import kind.")}) from None


def _require(actor: User, kind: Kind) -> None:
    if not can(actor, Capability.EDIT_RECORDS):
        raise PermissionDenied(_("You may not import records."))
    if kind.key in ("products", "price_book_entries") and not can(actor,
                                                                  Capability.MANAGE_CATALOG):
        raise PermissionDenied(_("You may not change the catalog."))


@dataclass(frozen=True)
class Inspection:
    header: list[str]
    mapping: dict[str, str]
    encoding: str
    file_format: str


def inspect_upload(*, kind: Kind, upload: UploadedFile) -> Inspection:
    """Read the header of an upload and suggest what each column fills."""
    if upload.size is not None and upload.size > max_upload_bytes():
        raise ValidationError({"file": _("The file is larger than %(mb)s MB.")
                               % {"mb": max_upload_bytes() // (1024 * 1024)}})
    try:
        fmt = file_format(upload.name or "")
        upload.seek(0)
        encoding = detect_encoding(upload.read(SAMPLE_BYTES)) if fmt == "csv" else ""
        upload.seek(0)
        sheet, _rows = open_rows(upload, fmt=fmt, encoding=encoding)
    except UnreadableFileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    finally:
        upload.seek(0)
    return Inspection(header=sheet.header, mapping=suggest_mapping(kind, sheet.header),
                      encoding=encoding, file_format=fmt)


def _clean_mapping(kind: Kind, header: list[str], mapping: dict[str, str]) -> dict[str, str]:
    valid = {c.key for c in kind.columns}
    cleaned = {name: (mapping.get(name) or "") for name in header if name}
    unknown = {v for v in cleaned.values() if v and v not in valid}
    if unknown:
        raise ValidationError({"mapping": _("Unknown fields: %(fields)s")
                               % {"fields": ", ".join(sorted(unknown))}})
    used = [v for v in cleaned.values() if v]
    if len(used) != len(set(used)):
        raise ValidationError({"mapping": _("Two columns fill the same field.")})
    missing = missing_required(kind, cleaned)
    if missing:
        labels = ", ".join(str(kind.column(key).label) for key in missing)
        raise ValidationError({"mapping": _("No column fills the required fields: %(fields)s")
                               % {"fields": labels}})
    return cleaned


def import_request(
    *, actor: User, kind: str, upload: UploadedFile, mode: str = ImportMode.ALL_OR_NOTHING,
    dry_run: bool = False, duplicates: str = DuplicateStrategy.SKIP,
    mapping: dict[str, str] | None = None,
) -> ImportJob:
    """Store the upload and queue its import after commit."""
    import_kind = kind_for(kind)
    _require(actor, import_kind)
    if mode not in ImportMode.values:
        raise ValidationError({"mode": _("Choose all_or_nothing or per_row.")})
    if duplicates not in DuplicateStrategy.values:
        raise ValidationError({"duplicates": _("Choose skip, update or create.")})
    inspection = inspect_upload(kind=import_kind, upload=upload)
    chosen = _clean_mapping(import_kind, inspection.header,
                            mapping if mapping is not None else inspection.mapping)
    with transaction.atomic():
        job = ImportJob(kind=import_kind.key, mode=mode, dry_run=dry_run, duplicates=duplicates,
                        original_name=(upload.name or "")[:255],
                        file_format=inspection.file_format, encoding=inspection.encoding,
                        mapping=chosen, created_by=actor)
        job.file.save(f"{job.token}.{inspection.file_format}", upload, save=False)
        job.save()
        if mapping is not None:
            remember_mapping(import_kind, chosen)
        audit_event(instance=job, action="import.requested", actor=actor,
                    data={"kind": job.kind, "mode": mode, "dry_run": dry_run,
                          "file": job.original_name})
        schema_name = connection.schema_name
        transaction.on_commit(lambda: _enqueue(schema_name, job.pk))
    return job


def _enqueue(schema_name: str, job_id: int) -> None:
    from crm.imports.tasks import run_import

    with schema_context(schema_name):
        try:
            run_import.delay(job_id)
        except Exception:
            logger.exception("Could not queue import %s of %s", job_id, schema_name)
            ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
                status=ImportStatus.FAILED,
                message=_("The import could not be queued. Please try again in a few minutes."))


@dataclass(frozen=True)
class PreviewRow:
    row: int
    values: list[str]
    errors: list[tuple[str, str]]


def mapping_problem(*, kind: str, header: list[str], mapping: dict[str, str]) -> str:
    """What is wrong with ``mapping`` for ``kind`` ("" when it can be used)."""
    try:
        _clean_mapping(kind_for(kind), header, mapping)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


def import_preview(*, actor: User, kind: str, upload: UploadedFile,
                   mapping: dict[str, str], limit: int = PREVIEW_ROWS) -> list[PreviewRow]:
    """The first rows as they would be read, each with its errors when ``mapping`` can be
    used (nothing is written; a reference to a row further up the same file shows as an
    error only in this preview)."""
    import_kind = kind_for(kind)
    _require(actor, import_kind)
    inspection = inspect_upload(kind=import_kind, upload=upload)
    usable = not mapping_problem(kind=kind, header=inspection.header, mapping=mapping)
    ctx = Context(actor=actor)
    keys = [mapping.get(name, "") for name in inspection.header]
    preview: list[PreviewRow] = []
    try:
        _sheet, rows = open_rows(upload, fmt=inspection.file_format,
                                 encoding=inspection.encoding)
        for number, cells in rows:
            values = {key: (cells[i] if i < len(cells) else "")
                      for i, key in enumerate(keys) if key}
            problems: list[tuple[str, str]] = []
            if usable:
                try:
                    import_kind.clean(values, ctx)
                except RowError as exc:
                    problems = [(exc.column, exc.message)]
                except ValidationError as exc:
                    problems = errors_of(exc)
            labels = {c.key: str(c.label) for c in import_kind.columns}
            preview.append(PreviewRow(row=number, values=cells, errors=[
                (labels.get(column, column), message) for column, message in problems]))
            if len(preview) >= limit:
                break
    except UnreadableFileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    finally:
        upload.seek(0)
    return preview


def import_progress(job: ImportJob) -> dict[str, Any]:
    """The job as the status API and the progress bar show it."""
    processed = job.processed_rows
    if job.status == ImportStatus.RUNNING:
        processed = max(processed, int(cache.get(progress_key(job.pk)) or 0))
    percent = 100 if job.finished else (
        min(99, int(100 * processed / job.total_rows)) if job.total_rows else 0)
    return {"id": job.pk, "status": job.status, "kind": job.kind, "mode": job.mode,
            "dry_run": job.dry_run, "total_rows": job.total_rows, "processed_rows": processed,
            "created": job.created, "updated": job.updated, "skipped": job.skipped,
            "failed_rows": job.failed_rows, "errors": job.errors, "message": job.message,
            "percent": percent, "finished": job.finished}


def template_rows(*, kind: str, language: str) -> list[list[str]]:
    """A template's header row (and an example row where it helps), in English or Chinese."""
    import_kind = kind_for(kind)
    if language.startswith("zh"):
        header = [c.zh + ("*" if c.required else "") for c in import_kind.columns]
    else:
        from django.utils import translation

        with translation.override("en"):
            header = [str(c.label) + ("*" if c.required else "") for c in import_kind.columns]
    return [header]


def template_csv(*, kind: str, language: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(template_rows(kind=kind, language=language))
    # With a BOM, so that Excel opens the Chinese headers as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(*, kind: str, language: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = kind[:31]
    for row in template_rows(kind=kind, language=language):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 4)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
