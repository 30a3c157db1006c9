"""``PUT /api/v1/<kind>/external/{external_id}/``: idempotent create-or-update by the
integrator's id, so an ERP can replay its feed safely (201 when created, 200 otherwise; a
replay of the same body changes nothing).

A viewset mixes in ``ExternalIdUpsertMixin`` and says how to fetch an existing record the
caller may see (``upsert_visible_instance``): a record that exists but that the caller may
not see answers 404, like any record one may not see, never a second record with the same
external id. Saving goes through the serializer, and so through the record's service."""

from typing import Any

from django.db import models, transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response


class ExternalIdUpsertMixin:
    upsert_model: type[models.Model]

    def upsert_visible_instance(self, existing: models.Model) -> models.Model:
        """``existing`` as seen by the caller; raise Http404/NotFound when they may not see it."""
        return self.get_queryset().get(pk=existing.pk)  # type: ignore[attr-defined]

    @action(detail=False, methods=["put"], url_path=r"external/(?P<external_id>[^/]+)")
    def upsert_external(self, request: Request, external_id: str) -> Response:
        """Create or update the record with this external id (idempotent)."""
        with transaction.atomic():
            existing = (self.upsert_model._default_manager.select_for_update()
                        .filter(external_id=external_id).first())
            if existing is not None:
                try:
                    instance = self.upsert_visible_instance(existing)
                except self.upsert_model.DoesNotExist as exc:
                    from rest_framework.exceptions import NotFound

                    raise NotFound() from exc
                serializer = self.get_serializer(  # type: ignore[attr-defined]
                    instance, data=request.data, partial=True)
                serializer.is_valid(raise_exception=True)
                serializer.save(external_id=external_id)
                return Response(serializer.data)
            serializer = self.get_serializer(data=request.data)  # type: ignore[attr-defined]
            serializer.is_valid(raise_exception=True)
            serializer.save(external_id=external_id)
            return Response(serializer.data, status=status.HTTP_201_CREATED)


def upsert_schema(serializer: Any) -> Any:
    """``@upsert_schema(MySerializer)`` on a subclass's ``upsert_external`` override documents
    the real request and response bodies in the OpenAPI schema."""
    return extend_schema(request=serializer, responses={200: serializer, 201: serializer})
