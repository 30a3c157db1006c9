"""/api/v1/webhooks/: outbound webhook endpoints (admins only, MANAGE_INTEGRATIONS).

``POST {"url", "events": [...], "description"?}`` answers 201 with the endpoint and its
signing ``secret`` (in that one answer only); GET/PATCH/PUT/DELETE ``/{id}/``;
``GET /{id}/deliveries/`` is the delivery log (newest first, cursor pages);
``POST /{id}/test/`` queues a ``ping`` event and answers 202 with its delivery."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from crm.core.api.permissions import IsStaffUser
from crm.core.api.viewsets import VisibleModelViewSet
from crm.core.events import EVENT_TYPES
from crm.webhooks import selectors, services
from crm.webhooks.models import WebhookDelivery, WebhookEndpoint
from tenants.users.permissions import Capability, can


class ManagesIntegrations(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return can(request.user, Capability.MANAGE_INTEGRATIONS)


class WebhookEndpointSerializer(serializers.ModelSerializer):
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(EVENT_TYPES)), min_length=1,
        max_length=len(EVENT_TYPES),
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)

    class Meta:
        model = WebhookEndpoint
        fields = ("id", "url", "description", "events", "is_active", "secret_hint",
                  "failing_since", "disabled_at", "disabled_reason", "created_at",
                  "updated_at")
        read_only_fields = ("secret_hint", "failing_since", "disabled_at", "disabled_reason",
                            "created_at", "updated_at")

    def create(self, validated_data: dict[str, Any]) -> WebhookEndpoint:
        validated_data.pop("is_active", None)
        created = services.endpoint_create(actor=self.context["request"].user,
                                           **validated_data)
        self.secret = created.secret
        return created.endpoint

    def update(self, instance: WebhookEndpoint, validated_data: dict[str, Any]
               ) -> WebhookEndpoint:
        return services.endpoint_update(endpoint=instance, actor=self.context["request"].user,
                                        **validated_data)


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True,
                                   help_text="The signing secret; shown only in this answer.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = (*WebhookEndpointSerializer.Meta.fields, "secret")


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = ("id", "event_id", "event_type", "status", "attempts", "response_status",
                  "response_body", "duration_ms", "error", "last_attempt_at",
                  "next_attempt_at", "created_at")
        read_only_fields = fields


class DeliveryLogPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-created_at", "-id")


class WebhookEndpointViewSet(VisibleModelViewSet):
    """Webhook endpoints of this tenant; admins only (others: 403)."""

    serializer_class = WebhookEndpointSerializer
    permission_classes = (IsStaffUser, ManagesIntegrations)
    write_capability = Capability.MANAGE_INTEGRATIONS
    filterset_class = None
    search_fields = ("url", "description")
    ordering_fields = ("created_at", "id")
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def visible_queryset(self) -> QuerySet[WebhookEndpoint]:
        return selectors.endpoint_list(viewer=self.request.user)

    @extend_schema(responses={201: WebhookEndpointCreatedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = serializer.save()
        data = {**WebhookEndpointSerializer(endpoint).data, "secret": serializer.secret}
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        services.endpoint_delete(endpoint=instance, actor=self.request.user)

    @extend_schema(responses={200: WebhookDeliverySerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=DeliveryLogPagination,
            filter_backends=[])
    def deliveries(self, request: Request, pk: str) -> Response:
        """The delivery log: status code, duration, next retry, start of the answer."""
        endpoint = self.get_object()
        queryset = selectors.delivery_list(endpoint=endpoint)
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(WebhookDeliverySerializer(queryset[:50], many=True).data)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str) -> Response:
        """Queue a ``ping`` event to this endpoint."""
        endpoint = self.get_object()
        delivery = services.endpoint_ping(endpoint=endpoint, actor=request.user)
        return Response(WebhookDeliverySerializer(delivery).data,
                        status=status.HTTP_202_ACCEPTED)


def register_api_routes(router: DefaultRouter) -> None:
    router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
