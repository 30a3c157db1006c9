"""/api/v1/assets/ and /api/v1/service-requests/ (fixed names for integrators, issue 10).

Assets answer ``coverage: {"warranty", "contract", "sla_policy"}`` from
crm.service.coverage; ``PUT /assets/external/{external_id}/`` upserts. Service requests are
created by POST and then moved only by their actions (``/assign/``, ``/status/``,
``/comments/``, ``/resolve/``, ``/close/``, ``/reopen/``, ``/rate/``, ``/work-logs/``);
every rule lives in crm.service.services, every read in crm.service.selectors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from crm.accounts.api import VisibleAccountField, VisibleContactField
from crm.catalog.api import CatalogProductField
from crm.core.api.export import EXPORT_FORMATS
from crm.core.api.upsert import ExternalIdUpsertMixin
from crm.core.api.viewsets import VisibleModelViewSet
from crm.service import selectors, services
from crm.service.coverage import coverage_for, coverage_for_assets
from crm.service.filters import AssetFilter, ServiceRequestFilter
from crm.service.models import (
    Asset,
    AssetStatus,
    Channel,
    RequestStatus,
    ServiceComment,
    ServiceQueue,
    ServiceRequest,
    Severity,
    SlaPolicy,
    WorkLog,
    WorkLogKind,
)
from tenants.users.models import User

# --- assets ---------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class VisibleAssetField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[Asset]:
        return selectors.asset_visible_queryset(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class SlaPolicyField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[SlaPolicy]:
        return SlaPolicy.objects.all()


class CoverageSerializer(serializers.Serializer):
    warranty = serializers.BooleanField()
    contract = serializers.IntegerField(allow_null=True)
    sla_policy = serializers.IntegerField(allow_null=True)


ASSET_FIELDS = ("id", "account", "product", "make", "model", "serial_number",
                "customer_reference", "location", "installed_on", "warranty_start",
                "warranty_end", "warranty_policy", "status", "parent", "notes", "external_id",
                "coverage", "created_at", "updated_at")


class AssetSerializer(serializers.ModelSerializer):
    account = VisibleAccountField()
    product = CatalogProductField(required=False, allow_null=True)
    make = serializers.CharField(max_length=100, required=False, allow_blank=True)
    model = serializers.CharField(max_length=100, required=False, allow_blank=True)
    serial_number = serializers.CharField(max_length=100)
    customer_reference = serializers.CharField(max_length=100, required=False,
                                               allow_blank=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=AssetStatus.choices, required=False)
    parent = VisibleAssetField(required=False, allow_null=True)
    warranty_policy = SlaPolicyField(required=False, allow_null=True)
    external_id = serializers.CharField(max_length=100, required=False, allow_null=True,
                                        allow_blank=True)
    coverage = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = ASSET_FIELDS
        read_only_fields = ("created_at", "updated_at")
        # The conditional unique constraints would make DRF require product *and* make/model;
        # crm.service.services.assets checks serial numbers per product or model itself.
        validators: list[object] = []

    @extend_schema_field(CoverageSerializer)
    def get_coverage(self, asset: Asset) -> dict[str, object]:
        known = self.context.get("coverage") or {}
        coverage = known.get(asset.pk) or coverage_for(account=asset.account, asset=asset)
        return coverage.as_api()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "account" in attrs \
                and attrs["account"].pk != self.instance.account_id:
            raise serializers.ValidationError(
                {"account": "An asset stays with its account; register it anew."})
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Asset:
        account = validated_data.pop("account")
        return services.asset_create(actor=self.context["request"].user, account=account,
                                     **validated_data)

    def update(self, instance: Asset, validated_data: dict[str, Any]) -> Asset:
        validated_data.pop("account", None)
        return services.asset_update(asset=instance, actor=self.context["request"].user,
                                     **validated_data)


class AssetViewSet(ExternalIdUpsertMixin, VisibleModelViewSet):
    """Customer assets; visibility follows the account. No DELETE: retire an asset
    (``status: retired``), its service history stays."""

    serializer_class = AssetSerializer
    filterset_class = AssetFilter
    search_fields = ("serial_number", "model", "customer_reference")
    ordering_fields = ("serial_number", "warranty_end", "installed_on", "updated_at", "id")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    upsert_model = Asset

    def visible_queryset(self) -> QuerySet[Asset]:
        return selectors.asset_list(viewer=self.request.user).order_by("pk")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if getattr(request.accepted_renderer, "format", None) in EXPORT_FORMATS:
            return super().list(request, *args, **kwargs)  # the CSV/XLSX export of the list
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(),
                   "coverage": coverage_for_assets(assets=rows)}
        data = AssetSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)


# --- service requests -----------------------------------------------------------------

@extend_schema_field(OpenApiTypes.INT)
class ServiceAgentField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[User]:
        return selectors.service_agents()


@extend_schema_field(OpenApiTypes.INT)
class QueueField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[ServiceQueue]:
        return ServiceQueue.objects.all()


REQUEST_FIELDS = ("id", "number", "status", "account", "contact", "asset", "category",
                  "severity", "subject", "description", "channel", "reported_at", "queue",
                  "assignee", "sla_policy", "first_response_due", "resolution_due",
                  "first_response_at", "resolved_at", "closed_at", "breached",
                  "rating_score", "rating_remark", "created_at", "updated_at")


class ServiceRequestSerializer(serializers.ModelSerializer):
    account = VisibleAccountField()
    contact = VisibleContactField(required=False, allow_null=True)
    asset = VisibleAssetField(required=False, allow_null=True)
    severity = serializers.ChoiceField(choices=Severity.choices)
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=50_000)
    category = serializers.CharField(max_length=100, required=False, allow_blank=True)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    reported_at = serializers.DateTimeField(required=False)

    class Meta:
        model = ServiceRequest
        fields = REQUEST_FIELDS
        read_only_fields = tuple(name for name in REQUEST_FIELDS if name not in {
            "account", "contact", "asset", "category", "severity", "subject", "description",
            "channel", "reported_at"})

    def create(self, validated_data: dict[str, Any]) -> ServiceRequest:
        request = services.service_request_create(actor=self.context["request"].user,
                                                  **validated_data)
        return selectors.service_request_get_for(viewer=self.context["request"].user,
                                                 request_id=request.pk)


class AssignInput(serializers.Serializer):
    assignee = ServiceAgentField(required=False, allow_null=True)
    queue = QueueField(required=False, allow_null=True)


class StatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=RequestStatus.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class NoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ReopenInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class RateInput(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    remark = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ServiceCommentSerializer(serializers.ModelSerializer):
    body = serializers.CharField(max_length=20_000)
    public = serializers.BooleanField()
    author = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ServiceComment
        fields = ("id", "body", "public", "author", "by_staff", "created_at")
        read_only_fields = ("by_staff", "created_at")


class PartInput(serializers.Serializer):
    product = CatalogProductField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3,
                                        min_value=Decimal("0.001"))


class WorkLogSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=WorkLogKind.choices)
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    performed_on = serializers.DateField(required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    parts = PartInput(many=True, required=False)
    agent = serializers.PrimaryKeyRelatedField(read_only=True)
    contract = serializers.PrimaryKeyRelatedField(read_only=True)
    drawn = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)

    class Meta:
        model = WorkLog
        fields = ("id", "kind", "minutes", "performed_on", "description", "parts", "agent",
                  "contract", "drawn", "created_at")
        read_only_fields = ("created_at",)

    def to_representation(self, instance: WorkLog) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["parts"] = [{"product": part.product_id, "quantity": format(
            part.quantity.normalize(), "f")} for part in instance.parts.all()]
        return data


class ServiceRequestViewSet(VisibleModelViewSet):
    """Service requests: POST opens one; actions move it. No PUT/PATCH/DELETE."""

    serializer_class = ServiceRequestSerializer
    filterset_class = ServiceRequestFilter
    search_fields = ("number", "subject")
    ordering_fields = ("reported_at", "due_at", "updated_at", "id")
    http_method_names = ["get", "post", "head", "options"]

    def visible_queryset(self) -> QuerySet[ServiceRequest]:
        return selectors.service_request_list(viewer=self.request.user).order_by("-pk")

    def _answer(self, request: Request, pk: int) -> Response:
        fresh = selectors.service_request_get_for(viewer=request.user, request_id=pk)
        return Response(ServiceRequestSerializer(fresh, context={"request": request}).data)

    def _input(self, serializer_class: type[serializers.Serializer], request: Request
               ) -> dict[str, Any]:
        serializer = serializer_class(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(request=AssignInput, responses={200: ServiceRequestSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        service_request = self.get_object()
        data = self._input(AssignInput, request)
        services.service_request_assign(request=service_request, actor=request.user,
                                        assignee=data.get("assignee"), queue=data.get("queue"))
        return self._answer(request, service_request.pk)

    @extend_schema(request=StatusInput, responses={200: ServiceRequestSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, pk: str) -> Response:
        service_request = self.get_object()
        data = self._input(StatusInput, request)
        services.service_request_status_set(request=service_request, actor=request.user,
                                            status=data["status"], note=data.get("note", ""))
        return self._answer(request, service_request.pk)

    @extend_schema(request=NoteInput, responses={200: ServiceRequestSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        service_request = self.get_object()
        data = self._input(NoteInput, request)
        services.service_request_resolve(request=service_request, actor=request.user,
                                         note=data.get("note", ""))
        return self._answer(request, service_request.pk)

    @extend_schema(request=NoteInput, responses={200: ServiceRequestSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        service_request = self.get_object()
        data = self._input(NoteInput, request)
        services.service_request_close(request=service_request, actor=request.user,
                                       note=data.get("note", ""))
        return self._answer(request, service_request.pk)

    @extend_schema(request=ReopenInput, responses={200: ServiceRequestSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        service_request = self.get_object()
        data = self._input(ReopenInput, request)
        services.service_request_reopen(request=service_request, actor=request.user,
                                        reason=data.get("reason", ""))
        return self._answer(request, service_request.pk)

    @extend_schema(request=RateInput, responses={200: ServiceRequestSerializer})
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, pk: str) -> Response:
        service_request = self.get_object()
        data = self._input(RateInput, request)
        services.service_request_rate(request=service_request, actor=request.user,
                                      score=data["score"], remark=data.get("remark", ""))
        return self._answer(request, service_request.pk)

    @extend_schema(methods=["get"], request=None,
                   responses={200: ServiceCommentSerializer(many=True)})
    @extend_schema(methods=["post"], request=ServiceCommentSerializer,
                   responses={201: ServiceCommentSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def comments(self, request: Request, pk: str) -> Response:
        service_request = self.get_object()
        if request.method == "GET":
            rows = selectors.comments_for(viewer=request.user, request=service_request)
            return Response(ServiceCommentSerializer(rows, many=True).data)
        data = self._input(ServiceCommentSerializer, request)
        comment = services.service_comment_add(request=service_request, actor=request.user,
                                               body=data["body"], public=data["public"])
        return Response(ServiceCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], request=None, responses={200: WorkLogSerializer(many=True)})
    @extend_schema(methods=["post"], request=WorkLogSerializer,
                   responses={201: WorkLogSerializer})
    @action(detail=True, methods=["get", "post"], url_path="work-logs", pagination_class=None)
    def work_logs(self, request: Request, pk: str) -> Response:
        service_request = self.get_object()
        if request.method == "GET":
            rows = selectors.request_work_logs(service_request)
            return Response(WorkLogSerializer(rows, many=True).data)
        data = self._input(WorkLogSerializer, request)
        parts = [services.PartUsed(product=part["product"], quantity=part["quantity"])
                 for part in data.get("parts", [])]
        log = services.work_log_add(request=service_request, actor=request.user,
                                    kind=data["kind"], minutes=data["minutes"],
                                    performed_on=data.get("performed_on"),
                                    description=data.get("description", ""), parts=parts)
        log = selectors.request_work_logs(service_request).get(pk=log.pk)
        return Response(WorkLogSerializer(log).data, status=status.HTTP_201_CREATED)


def register_api_routes(router: DefaultRouter) -> None:
    router.register("assets", AssetViewSet, basename="asset")
    router.register("service-requests", ServiceRequestViewSet, basename="service-request")
