"""OPTIONS answers for every endpoint, list actions with URL arguments of their own included."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request, clone_request


class CrmMetadata(SimpleMetadata):
    """DRF's metadata describes PUT by calling ``get_object()``, which asserts that the URL
    carries the viewset's lookup argument (``pk``). A list-level action with an argument of
    its own (``PUT /accounts/external/{external_id}/``) has none, and OPTIONS answered 500.
    Such actions are described without looking an object up; the rest as DRF does."""

    def determine_actions(self, request: Request, view: Any) -> dict[str, Any]:
        actions: dict[str, Any] = {}
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
        has_object = lookup in (getattr(view, "kwargs", None) or {})
        for method in {"PUT", "POST"} & set(view.allowed_methods):
            view.request = clone_request(request, method)
            try:
                if hasattr(view, "check_permissions"):
                    view.check_permissions(view.request)
                if method == "PUT" and has_object and hasattr(view, "get_object"):
                    view.get_object()
            except (exceptions.APIException, PermissionDenied, Http404):
                pass
            else:
                actions[method] = self.get_serializer_info(view.get_serializer())
            finally:
                view.request = request
        return actions
