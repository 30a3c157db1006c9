"""FilterSet base and filters for every CRM API list: bad filter values are a 400, never a
server error.

Dates at the edges of what Python's ``datetime`` holds ("0001-01-01T00:00:00+14:00",
"9999-12-31T23:59:59-10:00") parse, but overflow when converted to UTC on their way to
PostgreSQL, and PostgreSQL refuses offsets beyond 15:59 ("+23:59"); the date-time fields
here convert to UTC while validating, so the first is a field error and the second works.
Use ``CrmFilterSet`` and the ``Safe*`` filters (tests/isolation/test_api_fuzz.py checks every
registered FilterSet).
"""

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField, RangeField
from django_filters.widgets import DateRangeWidget


class SafeIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time that can also be expressed in UTC (and so stored), handed on in
    UTC: PostgreSQL refuses offsets past 15:59 that Python accepts ("+23:59")."""

    default_error_messages = {
        "out_of_range": _("Enter a date and time between the years 1 and 9999."),
    }

    def to_python(self, value: Any) -> datetime | None:
        try:
            result = super().to_python(value)
            if result is not None:
                # Raises where the UTC value leaves the years 1..9999.
                result = result.astimezone(UTC)
        except OverflowError as error:
            raise forms.ValidationError(self.error_messages["out_of_range"],
                                        code="out_of_range") from error
        return result


class SafeIsoDateTimeRangeField(RangeField):
    widget = DateRangeWidget

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__((SafeIsoDateTimeField(), SafeIsoDateTimeField()), *args, **kwargs)


class SafeIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = SafeIsoDateTimeField


class SafeIsoDateTimeFromToRangeFilter(django_filters.IsoDateTimeFromToRangeFilter):
    """``<name>_after`` / ``<name>_before`` over a date-time field."""

    field_class = SafeIsoDateTimeRangeField


class CrmFilterSet(django_filters.FilterSet):
    """Base of every API FilterSet: generated date-time filters are the safe ones too."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.DateTimeField: {"filter_class": SafeIsoDateTimeFilter},
    }


class OneOrAllSelect(forms.SelectMultiple):
    """One ``<select>`` (a value, or "all" first) read as a list: a list page picks one
    value where the API takes the parameter repeated (``?status=a&status=b``), and both go
    through the same MultipleChoiceFilter."""

    allow_multiple_selected = False

    def __init__(self, all_label: Any = "", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.all_label = all_label

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        values = super().value_from_datadict(data, files, name)
        return [value for value in values or [] if value != ""]

    def optgroups(self, name: str, value: Any, attrs: dict[str, Any] | None = None
                  ) -> list[Any]:
        choices = self.choices
        self.choices = [("", self.all_label), *choices]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = choices


class OwnerField(forms.Field):
    """``<user id>``, the "mine" word or the "nobody" word of a list (lowercase); anything
    else is a field error. The choices only feed the page's ``<select>`` (evaluated when it
    is rendered, never for the API)."""

    def __init__(self, *, mine: str = "", nobody: str = "", choices: Any = (),
                 **kwargs: Any) -> None:
        self.words = {word for word in (mine, nobody) if word}
        kwargs.setdefault("widget", forms.Select(choices=choices))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | str | None:
        value = str(value or "").strip().lower()
        if not value:
            return None
        if value in self.words:
            return value
        if value.isdigit() and 0 < int(value) < 2**63:
            return int(value)
        raise forms.ValidationError(_("Choose a user, or one of: %(words)s.")
                                    % {"words": ", ".join(sorted(self.words)) or "—"},
                                    code="invalid_owner")


class OwnerFilter(django_filters.Filter):
    """``owner=<user id>`` as before, plus ``owner=<mine word>`` (the requesting user's
    rows) and ``owner=<nobody word>`` (no owner: the pool or the queue). The FilterSet needs
    its ``request`` for the mine word; without a user it matches nothing."""

    field_class = OwnerField

    def __init__(self, *args: Any, mine: str = "", nobody: str = "", choices: Any = (),
                 **kwargs: Any) -> None:
        self.mine_word, self.nobody_word = mine, nobody
        super().__init__(*args, mine=mine, nobody=nobody, choices=choices, **kwargs)

    def filter(self, qs: Any, value: Any) -> Any:
        if value in (None, ""):
            return qs
        if value == self.nobody_word:
            return qs.filter(**{f"{self.field_name}__isnull": True})
        if value == self.mine_word:
            user = getattr(getattr(self.parent, "request", None), "user", None)
            if user is None or not user.is_authenticated:
                return qs.none()
            return qs.filter(**{f"{self.field_name}_id": user.pk})
        return qs.filter(**{f"{self.field_name}_id": value})
