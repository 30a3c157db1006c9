"""/api/v1/imports/ (fixed names for integrators, issue 12): ``POST`` multipart ``kind``,
``file``, ``mode`` = ``all_or_nothing`` | ``per_row``, ``dry_run`` (and optionally
``duplicates`` = ``skip`` | ``update`` | ``create`` and ``mapping``, a JSON object from file
header to field key) → 201 ``{"id", "status"}``; ``GET /imports/{id}/`` → ``{"status",
"total_rows", "processed_rows", "created", "updated", "skipped", "errors": [{"row",
"column", "message"}]}``; ``GET /imports/templates/{kind}/?language=en|zh-hans&format=
csv|xlsx`` downloads the kind's template."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.viewsets import GenericViewSet

from crm.core.api.renderers import CSVRenderer, XLSXRenderer
from crm.core.api.viewsets import VisibilityEnforcedMixin
from crm.imports import selectors, services
from crm.imports.kinds import KINDS
from crm.imports.models import DuplicateStrategy, ImportJob, ImportKind, ImportMode, ImportStatus


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class ImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=ImportStatus.choices, read_only=True)
    kind = serializers.ChoiceField(choices=ImportKind.choices, read_only=True)
    mode = serializers.ChoiceField(choices=ImportMode.choices, read_only=True)
    dry_run = serializers.BooleanField(read_only=True)
    total_rows = serializers.IntegerField(read_only=True)
    processed_rows = serializers.IntegerField(read_only=True)
    created = serializers.IntegerField(read_only=True)
    updated = serializers.IntegerField(read_only=True)
    skipped = serializers.IntegerField(read_only=True)
    failed_rows = serializers.IntegerField(read_only=True)
    errors = ImportErrorSerializer(many=True, read_only=True)
    message = serializers.CharField(read_only=True)
    percent = serializers.IntegerField(read_only=True)
    finished = serializers.BooleanField(read_only=True)

    def to_representation(self, instance: ImportJob) -> dict[str, Any]:
        return services.import_progress(instance)


class ImportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    file = serializers.FileField()
    mode = serializers.ChoiceField(choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING)
    dry_run = serializers.BooleanField(default=False)
    duplicates = serializers.ChoiceField(choices=DuplicateStrategy.choices,
                                         default=DuplicateStrategy.SKIP)
    mapping = serializers.CharField(required=False, allow_blank=True,
                                    help_text="JSON object: file header -> field key.")

    def validate_mapping(self, value: str) -> dict[str, str] | None:
        if not value:
            return None
        try:
            mapping = json.loads(value)
        except ValueError:
            raise serializers.ValidationError("Not valid JSON.") from None
        if not isinstance(mapping, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
            raise serializers.ValidationError("A JSON object of strings.")
        return mapping


class ImportViewSet(VisibilityEnforcedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    GenericViewSet):
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser]

    def visible_queryset(self) -> QuerySet[ImportJob]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the types
            return ImportJob.objects.none()
        return selectors.import_visible_queryset(viewer=self.request.user)

    @extend_schema(request={"multipart/form-data": ImportRequestSerializer},
                   responses={201: inline_serializer("ImportAccepted", {
                       "id": serializers.IntegerField(),
                       "status": serializers.ChoiceField(choices=ImportStatus.choices)})})
    def create(self, request: Request) -> Response:
        incoming = ImportRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        job = services.import_request(
            actor=request.user, kind=data["kind"], upload=data["file"], mode=data["mode"],
            dry_run=data["dry_run"], duplicates=data["duplicates"], mapping=data.get("mapping"))
        return Response({"id": job.pk, "status": job.status}, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("language", str, enum=["en", "zh-hans"]),
                    OpenApiParameter("format", str, enum=["csv", "xlsx"])],
        responses={(200, "text/csv"): OpenApiTypes.BINARY,
                   (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
                       OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"], url_path=r"templates/(?P<kind>[a-z_]+)",
            renderer_classes=[CSVRenderer, XLSXRenderer, JSONRenderer])
    def template(self, request: Request, kind: str) -> HttpResponse:
        """The kind's template with English or Chinese headers."""
        if kind not in KINDS:
            raise NotFound()
        language = request.query_params.get("language", "en")
        if request.query_params.get("format") == "xlsx":
            return _download(services.template_xlsx(kind=kind, language=language),
                             f"{kind}-template.xlsx", XLSX)
        return _download(services.template_csv(kind=kind, language=language),
                         f"{kind}-template.csv", "text/csv; charset=utf-8")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def register_api_routes(router: DefaultRouter) -> None:
    router.register("imports", ImportViewSet, basename="import")
