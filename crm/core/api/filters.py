"""FilterSet base and filters for every CRM API list: bad filter values are a 400, never a
server error.

Dates at the edges of what Python's ``datetime`` holds ("0001-01-01T00:00:00+14:00",
"9999-12-31T23:59:59-10:00") parse, but overflow when converted to UTC on their way to
PostgreSQL; the datetime fields here convert while validating, so such a value is a field
error. Use ``CrmFilterSet`` and the ``Safe*`` filters (tests/isolation/test_api_fuzz.py
checks every registered FilterSet).
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
    """An ISO 8601 date-time that can also be expressed in UTC (and so stored)."""

    default_error_messages = {
        "out_of_range": _("Enter a date and time between the years 1 and 9999."),
    }

    def to_python(self, value: Any) -> datetime | None:
        try:
            result = super().to_python(value)
            if result is not None:
                result.astimezone(UTC)  # raises where the UTC value leaves year 1..9999
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
