"""``?format=csv`` / ``?format=xlsx`` on every list endpoint (issue 12): the same rows the
list shows — the same visibility (``visible_queryset``), the same FilterSet, search and
ordering — every page of them, in the columns of the endpoint's serializer.

CSV streams row by row (StreamingHttpResponse, UTF-8 with a BOM so Excel reads Chinese);
XLSX is written by openpyxl's write-only workbook to a temporary file and sent from there,
so neither holds the whole list in memory. Rows are read in chunks of ``CHUNK`` with the
queryset's own select_related/prefetch_related, so the query count grows with the number of
chunks, not rows. Nested values (lists, objects) are written as JSON text."""

from __future__ import annotations

import csv
import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.response import Response

from crm.core.api.renderers import XLSX_MEDIA_TYPE, CSVRenderer, XLSXRenderer

CHUNK = 500
EXPORT_FORMATS = ("csv", "xlsx")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def csv_safe(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula (OWASP "CSV injection"): text that
    starts with = + - @ or a tab/CR gets a leading apostrophe; plain numbers stay as they
    are. crm.imports strips the apostrophe again, so exports re-import unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and \
            not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _rows(view: Any, queryset: QuerySet) -> tuple[list[str], Iterator[list[Any]]]:
    return rows_for(view.get_serializer_class(), view.get_serializer_context(), queryset)


def rows_for(serializer_class: Any, context: dict[str, Any], queryset: QuerySet
             ) -> tuple[list[str], Iterator[list[Any]]]:
    """The header (the serializer's fields) and the rows of ``queryset``, chunk by chunk."""
    header = list(serializer_class(context=context).fields.keys())

    def generate() -> Iterator[list[Any]]:
        for obj in queryset.iterator(chunk_size=CHUNK):
            data = serializer_class(obj, context=context).data
            yield [_cell(data.get(name)) for name in header]

    return header, generate()


def _filename(view: Any, fmt: str) -> str:
    base = getattr(view, "basename", None) or "export"
    return f"{base}-{timezone.localdate().isoformat()}.{fmt}"


def csv_response(view: Any, queryset: QuerySet) -> StreamingHttpResponse:
    header, rows = _rows(view, queryset)
    return csv_stream(header, rows, _filename(view, "csv"))


def xlsx_response(view: Any, queryset: QuerySet) -> FileResponse:
    header, rows = _rows(view, queryset)
    return xlsx_file(header, rows, _filename(view, "xlsx"),
                     sheet_title=getattr(view, "basename", None) or "export")


def csv_stream(header: list[str], rows: Iterator[list[Any]], filename: str
               ) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream() -> Iterable[str]:
        yield "\ufeff" + writer.writerow([csv_safe(name) for name in header])
        for row in rows:
            yield writer.writerow([csv_safe(value) for value in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_file(header: list[str], rows: Iterator[list[Any]], filename: str, *,
              sheet_title: str = "export") -> FileResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append(header)
    for row in rows:
        # Text cells are written as text (data type "s"): openpyxl would store a string
        # that starts with "=" as a formula.
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    # Closed by FileResponse when the download ends.
    scratch = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(scratch)
    scratch.seek(0)
    return FileResponse(scratch, as_attachment=True, filename=filename,
                        content_type=XLSX_MEDIA_TYPE)


class ExportListMixin(ListModelMixin):
    """A list endpoint that also answers ``?format=csv`` and ``?format=xlsx``."""

    def get_renderers(self) -> list[Any]:
        renderers = list(super().get_renderers())  # type: ignore[misc]
        if getattr(self, "action", None) == "list":
            renderers += [CSVRenderer(), XLSXRenderer()]
        return renderers

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        fmt = getattr(getattr(request, "accepted_renderer", None), "format", None)
        if fmt in EXPORT_FORMATS:
            queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
            if fmt == "csv":
                return csv_response(self, queryset)
            return xlsx_response(self, queryset)
        response: Response = super().list(request, *args, **kwargs)
        return response
