"""The filters of an HTML list page: the record type's FilterSet (the one its API list
and both exports use), bound to the page's query string, plus the page's sort order.

A FilterSet only narrows the queryset it is given, which is the selector's visible list, so
visibility stays in the selectors. Invalid filter values are field errors on the re-rendered
page with no rows (an export asked for with them answers that page with 400 instead of a
file): never rows that do not match what was asked, never a 500."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django_filters import FilterSet

from crm.core.exports import export_requested


@dataclass
class PageFilters:
    filterset: FilterSet
    rows: QuerySet
    valid: bool
    sort: str
    sort_field: forms.BoundField | None
    export: bool = False

    @property
    def status(self) -> int:
        """The page's status: 400 only for an export that cannot be made (bad filters)."""
        return 400 if self.export and not self.valid else 200

    @property
    def form(self) -> forms.Form:
        return self.filterset.form

    @property
    def fields(self) -> list[forms.BoundField]:
        """The fields the page shows, in order (the FilterSet's ``page_fields``; the API's
        other parameters work on the page's URL too but have no control)."""
        names = getattr(self.filterset, "page_fields", None) or list(self.form.fields)
        return [self.form[name] for name in names]

    @property
    def errors(self) -> Any:
        return self.form.errors


class _SortForm(forms.Form):
    def __init__(self, data: Mapping[str, Any], *, name: str,
                 choices: Sequence[tuple[str, Any]], label: Any) -> None:
        super().__init__(data)
        self.name = name
        self.fields[name] = forms.ChoiceField(label=label, choices=choices, required=False)


def page_filters(request: HttpRequest, filterset_class: type[FilterSet], queryset: QuerySet,
                 *, defaults: Mapping[str, str] | None = None, sort_param: str = "",
                 sort_choices: Sequence[tuple[str, Any]] = (), sort_label: Any = "",
                 ) -> PageFilters:
    """``queryset`` (a selector's visible list) narrowed by ``filterset_class`` from the
    query string. ``defaults`` fill parameters the query string leaves out or empty (a page that
    opens on "open leads" or "latest revisions"); an unknown sort value is the first
    choice's."""
    data: QueryDict = request.GET.copy()
    for name, value in (defaults or {}).items():
        if not data.get(name):
            data[name] = value
    filterset = filterset_class(data, queryset=queryset, request=request)
    valid = filterset.is_valid()
    rows = filterset.qs if valid else queryset.none()
    sort, sort_field = "", None
    if sort_param and sort_choices:
        sort_form = _SortForm(data, name=sort_param, choices=sort_choices, label=sort_label)
        sort = sort_form.cleaned_data[sort_param] if sort_form.is_valid() else ""
        sort = sort or sort_choices[0][0]
        sort_field = sort_form[sort_param]
    return PageFilters(filterset=filterset, rows=rows, valid=valid, sort=sort,
                       sort_field=sort_field, export=export_requested(request))
