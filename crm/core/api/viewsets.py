"""Base viewsets that apply visibility themselves.

Subclasses say which records a viewer may see in ``visible_queryset`` (by calling a
selector); ``get_queryset`` is final, so no endpoint can forget the check. The escape hatch
is loud on purpose: ``dangerously_get_queryset``.
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from rest_framework import viewsets

from crm.core.api.export import ExportListMixin


class VisibilityEnforcedMixin:
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset; implement visible_queryset() "
                "(or dangerously_get_queryset() for a reviewed exception) instead."
            )

    def visible_queryset(self) -> QuerySet:
        raise ImproperlyConfigured(f"{type(self).__name__} must define visible_queryset()")

    def dangerously_get_queryset(self) -> QuerySet | None:
        return None

    def get_queryset(self) -> QuerySet:
        unsafe = self.dangerously_get_queryset()
        if unsafe is not None:
            return unsafe
        return self.visible_queryset()


class VisibleModelViewSet(VisibilityEnforcedMixin, ExportListMixin, viewsets.ModelViewSet):
    """Every list also exports (``?format=csv`` / ``?format=xlsx``: crm.core.api.export)."""


class VisibleReadOnlyViewSet(VisibilityEnforcedMixin, ExportListMixin,
                             viewsets.ReadOnlyModelViewSet):
    """Every list also exports (``?format=csv`` / ``?format=xlsx``: crm.core.api.export)."""
