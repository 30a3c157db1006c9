"""Offset pages for the CRM's HTML lists, without COUNT(*) (slow on big tables): one extra
row tells whether there is a next page. The API has its own cursor pagination."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 50
# Beyond this the OFFSET would overflow the database's bigint (a 500): such a number means
# this page, which is empty on any real list.
MAX_PAGE = 10**6


def page_of(queryset: QuerySet, request: HttpRequest, *, size: int = PAGE_SIZE) -> dict[str, Any]:
    """The ``?page=`` page of ``queryset`` (garbage numbers mean page 1, huge ones
    ``MAX_PAGE``) and the query string without ``page`` for the pager's links."""
    try:
        number = min(MAX_PAGE, max(1, int(request.GET.get("page", "1"))))
    except ValueError:
        number = 1
    start = (number - 1) * size
    rows = list(queryset[start:start + size + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "rows": rows[:size], "number": number, "has_next": len(rows) > size,
        "has_previous": number > 1, "query": query.urlencode(),
    }
