"""The export button of the HTML list pages: ``?format=csv`` / ``?format=xlsx`` on a list
page answers the rows the page shows — its visibility and filters applied, every page of
them — in the columns of the record type's API list (one column definition per record type,
so a page export and an API export of the same rows are the same file).

The API serializer is found by the router basename in the API's route registry rather than
imported, because pages and API are sibling layers that may not import each other."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from crm.core.api.export import EXPORT_FORMATS, csv_stream, rows_for, xlsx_file


@cache
def _serializer_for(basename: str) -> Any:
    from rest_framework.routers import DefaultRouter

    from crm.routes import register_api_routes

    router = DefaultRouter()
    register_api_routes(router)
    for _prefix, viewset, name in router.registry:
        if name == basename:
            return viewset.serializer_class
    raise LookupError(f"No API list registered as {basename!r}")


def export_requested(request: HttpRequest) -> bool:
    return request.GET.get("format") in EXPORT_FORMATS


def page_export(request: HttpRequest, queryset: QuerySet, *, api_basename: str
                ) -> HttpResponseBase:
    """The file for ``queryset`` (call only when ``export_requested``)."""
    serializer_class = _serializer_for(api_basename)
    header, rows = rows_for(serializer_class, {"request": request}, queryset)
    filename = f"{api_basename}-{timezone.localdate().isoformat()}"
    if request.GET.get("format") == "xlsx":
        return xlsx_file(header, rows, f"{filename}.xlsx", sheet_title=api_basename)
    return csv_stream(header, rows, f"{filename}.csv")
