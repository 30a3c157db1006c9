"""The import engine (run by the Celery task ``crm.imports.tasks.run_import``).

All or nothing (the default): every row is written inside one transaction, each in its
own savepoint so one bad row cannot hide the next one's error; if any row failed — or the
job is a dry run — the transaction is rolled back and nothing is left behind, and the error
list says row, column and why. Row by row: each row commits on its own; rows that fail go
to an error file (the original cells plus the reason) to fix and upload again.

Rows stream from the file (crm.imports.readers); progress goes to the cache every few
hundred rows (a row update inside the open transaction would be invisible to the page
that shows the progress bar), and to the job row when it ends."""

from __future__ import annotations

import csv
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.imports.kinds import KINDS, Context, Kind, RowError, errors_of
from crm.imports.models import DuplicateStrategy, ImportJob, ImportMode, ImportStatus
from crm.imports.readers import UnreadableFileError, count_rows, open_rows
from tenants.users.permissions import Capability, can

logger = logging.getLogger(__name__)

MAX_ERRORS = 1000  # kept on the job; the error file (row-by-row mode) has every one
PROGRESS_EVERY = 250


def progress_key(job_id: int) -> str:
    return f"imports:progress:{job_id}"  # prefixed with the schema by the tenant cache


@dataclass
class Outcome:
    processed: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, row: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": message})


@contextmanager
def _job_lock(job_id: int) -> Iterator[bool]:
    key = (connection.schema_name, job_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s), %s)", [f"import:{key[0]}",
                                                                      key[1]])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s), %s)",
                               [f"import:{key[0]}", key[1]])


def unquote_cell(value: str) -> str:
    """Undo crm.core.api.export.csv_safe: "'=SUM(1)" as exported is "=SUM(1)" again."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def write_row(kind: Kind, ctx: Context, values: dict[str, str], strategy: str) -> str:
    """Write one row; "created", "updated" or "skipped". Raises RowError/ValidationError."""
    fields = kind.clean(values, ctx)
    match = kind.match(fields, ctx) if strategy != DuplicateStrategy.CREATE else None
    if match is not None:
        if strategy == DuplicateStrategy.SKIP:
            return "skipped"
        kind.update(match, fields, ctx)
        return "updated"
    kind.create(fields, ctx)
    return "created"


def _row_errors(exc: Exception) -> list[tuple[str, str]]:
    if isinstance(exc, RowError):
        return [(exc.column, exc.message)]
    if isinstance(exc, ValidationError):
        return errors_of(exc)
    if isinstance(exc, PermissionDenied):
        return [("", str(exc) or _("You may not do this."))]
    if isinstance(exc, IntegrityError):
        return [("", _("The row conflicts with an existing record."))]
    raise exc


def _process(job: ImportJob, kind: Kind, header: list[str], rows: Iterator[tuple[int, list[str]]],
             outcome: Outcome, *, per_row: bool, error_writer: Any = None) -> None:
    ctx = Context(actor=job.created_by)
    keys = [job.mapping.get(name, "") for name in header]
    column_header = {key: name for name, key in zip(header, keys, strict=True) if key}
    for number, cells in rows:
        values = {key: unquote_cell(cells[i] if i < len(cells) else "")
                  for i, key in enumerate(keys) if key}
        try:
            with transaction.atomic():
                result = write_row(kind, ctx, values, job.duplicates)
        except Exception as exc:  # a row's own error; anything else is re-raised
            problems = _row_errors(exc)
            outcome.failed += 1
            for column, message in problems:
                outcome.error(number, column_header.get(column, column), message)
            if error_writer is not None:
                error_writer.writerow([*cells, "; ".join(m for _c, m in problems)])
        else:
            setattr(outcome, result, getattr(outcome, result) + 1)
        outcome.processed += 1
        if outcome.processed % PROGRESS_EVERY == 0:
            cache.set(progress_key(job.pk), outcome.processed, 3600)
            if per_row:
                ImportJob.objects.filter(pk=job.pk).update(processed_rows=outcome.processed)


def _finish(job: ImportJob, outcome: Outcome, *, status: str, message: str = "",
            written: bool = True, error_file: str = "") -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, processed_rows=outcome.processed,
        created=outcome.created if written else 0, updated=outcome.updated if written else 0,
        skipped=outcome.skipped if written else 0, failed_rows=outcome.failed,
        errors=outcome.errors, message=message, finished_at=timezone.now(),
        error_file=error_file,
    )
    cache.delete(progress_key(job.pk))


def run_import(*, job_id: int) -> ImportJob | None:
    """Run one queued import in the current schema (safe to run twice)."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.finished:
        return job
    with _job_lock(job.pk) as acquired:
        if not acquired:
            return job
        actor = job.created_by
        if actor is None or not actor.is_active or not can(actor, Capability.EDIT_RECORDS):
            # Never run as "the system": every row is written with its uploader's rights.
            _finish(job, Outcome(), status=ImportStatus.FAILED, written=False, message=_(
                "The person who started this import can no longer import records. "
                "Nothing was written."))
            job.refresh_from_db()
            return job
        try:
            _run(job)
        except Exception as exc:
            logger.exception("Import %s failed", job.pk)
            _finish(job, Outcome(), status=ImportStatus.FAILED, written=False,
                    message=_("The import stopped because of an unexpected error "
                              "(%(error)s). Nothing was written.") % {"error": type(exc).__name__}
                    if job.mode == ImportMode.ALL_OR_NOTHING else
                    _("The import stopped because of an unexpected error (%(error)s).")
                    % {"error": type(exc).__name__})
    job.refresh_from_db()
    return job


def _run(job: ImportJob) -> None:
    kind = KINDS[job.kind]
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING,
                                               started_at=timezone.now(), processed_rows=0)
    outcome = Outcome()
    try:
        with job.file.open("rb") as handle:
            total = count_rows(handle, fmt=job.file_format, encoding=job.encoding)
        ImportJob.objects.filter(pk=job.pk).update(total_rows=total)
        with job.file.open("rb") as handle:
            sheet, rows = open_rows(handle, fmt=job.file_format, encoding=job.encoding)
            if job.mode == ImportMode.ALL_OR_NOTHING or job.dry_run:
                with transaction.atomic():
                    _process(job, kind, sheet.header, rows, outcome, per_row=False)
                    transaction.set_rollback(bool(outcome.failed) or job.dry_run)
                _finish_all_or_nothing(job, outcome)
                return
            with tempfile.TemporaryFile("w+", encoding="utf-8-sig", newline="") as scratch:
                writer = csv.writer(scratch)
                writer.writerow([*sheet.header, _("Error")])
                _process(job, kind, sheet.header, rows, outcome, per_row=True,
                         error_writer=writer)
                error_file = ""
                if outcome.failed:
                    scratch.seek(0)
                    error_file = job.error_file.storage.save(
                        f"imports/{job.token}-errors.csv", File(scratch))
    except UnreadableFileError as exc:
        _finish(job, outcome, status=ImportStatus.FAILED, written=False, message=str(exc))
        return
    message = (ngettext(
        "%(failed)s row could not be imported: download the error file, fix it and upload "
        "it again.",
        "%(failed)s rows could not be imported: download the error file, fix them and upload "
        "it again.", outcome.failed) % {"failed": outcome.failed}) if outcome.failed else ""
    _finish(job, outcome, status=ImportStatus.DONE, message=message, error_file=error_file)


def _finish_all_or_nothing(job: ImportJob, outcome: Outcome) -> None:
    if job.dry_run:
        message = (ngettext("Dry run: nothing was written. %(failed)s row has errors.",
                            "Dry run: nothing was written. %(failed)s rows have errors.",
                            outcome.failed) % {"failed": outcome.failed}) if outcome.failed else \
            _("Dry run: nothing was written. Every row can be imported.")
        _finish(job, outcome, status=ImportStatus.DONE, message=message)
    elif outcome.failed:
        _finish(job, outcome, status=ImportStatus.FAILED, written=False, message=ngettext(
            "Nothing was imported: %(failed)s row has errors. Fix it and upload the file "
            "again, or import row by row.",
            "Nothing was imported: %(failed)s rows have errors. Fix them and upload the file "
            "again, or import row by row.", outcome.failed) % {"failed": outcome.failed})
    else:
        _finish(job, outcome, status=ImportStatus.DONE)
