"""Renderers for downloads (``?format=csv`` / ``?format=xlsx``, DRF's format override): the
view builds the bytes (an export, an import template); the renderer only names the media
type so content negotiation lets the request through."""

from typing import Any

from rest_framework.renderers import BaseRenderer

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _PassThroughRenderer(BaseRenderer):
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: dict[str, Any] | None = None) -> bytes:
        if isinstance(data, bytes):
            return data
        # An error body (a 4xx) under a download format: plain UTF-8 text.
        return str(data).encode("utf-8")


class CSVRenderer(_PassThroughRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(_PassThroughRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
