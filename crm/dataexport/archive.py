"""Writing a whole tenant into one ZIP: every table of its schema as CSV (UTF-8, header
row) streamed with ``COPY ... TO STDOUT``, the tenant's uploaded files (``media/``: its
MEDIA_ROOT folder; ``protected/``: attachments under PROTECTED_MEDIA_ROOT), and a manifest.

Memory stays bounded whatever the tenant's size: COPY hands over the rows in chunks that go
straight into the compressed ZIP entry, and files are copied in chunks by ``zipfile``.
Each table is read in its own statement (the export does not hold one snapshot open for its
whole run, so its progress can be committed and watched while it runs).
"""

import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import connection
from django.utils import timezone
from psycopg import sql

from crm.dataexport.storage import media_root_for, protected_root_for

# Columns written as empty: secrets that would let the archive's reader act as someone
# (session keys, API tokens, password hashes). The tables themselves are still exported.
REDACTED_COLUMNS: dict[str, frozenset[str]] = {
    "django_session": frozenset({"session_key", "session_data"}),
    "authtoken_token": frozenset({"key"}),
    "users_user": frozenset({"password"}),
}


@dataclass
class ArchiveSummary:
    tables: list[dict[str, Any]] = field(default_factory=list)
    files: int = 0


def tenant_tables(schema_name: str) -> list[str]:
    """Every base table of the schema, by name (what the archive holds, one CSV each)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name",
            [schema_name],
        )
        return [row[0] for row in cursor.fetchall()]


def _table_columns(schema_name: str, table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            [schema_name, table],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy_statement(schema_name: str, table: str) -> sql.Composed:
    redacted = REDACTED_COLUMNS.get(table, frozenset())
    columns = _table_columns(schema_name, table)
    select_list = sql.SQL(", ").join(
        sql.SQL("NULL AS {}").format(sql.Identifier(name)) if name in redacted
        else sql.Identifier(name)
        for name in columns
    )
    return sql.SQL(
        "COPY (SELECT {columns} FROM {table}) TO STDOUT "
        "WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')"
    ).format(columns=select_list, table=sql.Identifier(schema_name, table))


def write_table_csv(schema_name: str, table: str, out: IO[bytes]) -> int:
    """Stream one table as CSV into ``out``; the number of rows written."""
    statement = _copy_statement(schema_name, table)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        with raw.copy(statement) as copy:
            for chunk in copy:
                out.write(chunk)
        return max(raw.rowcount, 0)


def _media_files(root: str, prefix: str) -> list[tuple[str, str]]:
    """(path, name in the archive) of every regular file under ``root``; links are not
    followed, so nothing outside the tenant's folder can be pulled in."""
    found: list[tuple[str, str]] = []
    if not os.path.isdir(root):
        return found
    for directory, subdirs, names in os.walk(root, followlinks=False):
        subdirs.sort()
        for name in sorted(names):
            path = os.path.join(directory, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            relative = os.path.relpath(path, root).replace(os.sep, "/")
            found.append((path, f"{prefix}/{relative}"))
    return found


def write_tenant_archive(
    out: IO[bytes], *, schema_name: str, tables: list[str],
    on_table_done: Callable[[int], None] | None = None,
) -> ArchiveSummary:
    """Write the schema's tables and media into a ZIP on ``out``."""
    summary = ArchiveSummary()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for index, table in enumerate(tables, start=1):
            entry = f"tables/{table}.csv"
            with zf.open(entry, "w", force_zip64=True) as stream:
                rows = write_table_csv(schema_name, table, stream)
            summary.tables.append({"table": table, "file": entry, "rows": rows})
            if on_table_done is not None:
                on_table_done(index)
        files = _media_files(media_root_for(schema_name), "media")
        files += _media_files(protected_root_for(schema_name), "protected")
        for path, entry in files:
            zf.write(path, entry)
            summary.files += 1
        tenant = getattr(connection, "tenant", None)
        manifest = {
            "format": 1,
            "workspace": getattr(tenant, "slug", ""),
            "name": getattr(tenant, "name", ""),
            "schema": schema_name,
            "created_at": timezone.now().isoformat(),
            "encoding": "UTF-8, CSV with a header row; NULL is an empty field",
            "tables": summary.tables,
            "files": summary.files,
            "redacted_columns": {t: sorted(c) for t, c in REDACTED_COLUMNS.items()},
        }
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return summary
