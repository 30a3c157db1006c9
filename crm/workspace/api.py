"""/api/v1/settings/ (GET, PATCH) and /api/v1/audit-log/ (GET, cursor pages): administrators
only. Adapters over crm.workspace services and selectors; bad values answer 400 naming the
field. Amounts and dates are never formatted here: JSON carries plain values."""

from datetime import datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from crm.core.api.export import ExportListMixin
from crm.core.api.viewsets import VisibilityEnforcedMixin
from crm.core.models import AuditEntry
from crm.workspace import selectors, services
from crm.workspace.choices import (
    DATE_PRESETS,
    NUMBER_PRESETS,
    currency_codes,
    language_choices,
    time_zone_names,
)
from tenants.models import Tenant
from tenants.users.permissions import Capability, can


class CanManageSettings(BasePermission):
    """Staff administrators of this workspace, for reads and writes alike."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return can(request.user, Capability.USE_CRM) and can(request.user,
                                                             Capability.MANAGE_SETTINGS)


# --- settings ------------------------------------------------------------------------------

class WorkspaceSettingsSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    currency = serializers.CharField(max_length=3)
    language = serializers.ChoiceField(choices=[])
    time_zone = serializers.CharField(max_length=64)
    fiscal_year_start_month = serializers.IntegerField(min_value=1, max_value=12)
    date_format = serializers.ChoiceField(choices=list(DATE_PRESETS))
    number_format = serializers.ChoiceField(choices=list(NUMBER_PRESETS))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [code for code, _label in language_choices()]

    def validate_currency(self, value: str) -> str:
        code = value.strip().upper()
        if code not in currency_codes():
            raise ValidationError("Use an ISO 4217 currency code such as USD, CNY or EUR.")
        return code

    def validate_time_zone(self, value: str) -> str:
        if value not in time_zone_names():
            raise ValidationError("Use a time zone name such as Asia/Shanghai or UTC.")
        return value


def _settings_body(tenant: Tenant) -> dict[str, Any]:
    workspace = selectors.workspace_settings_get(tenant=tenant)
    return {
        "name": tenant.name, "currency": tenant.currency, "language": tenant.language,
        "time_zone": tenant.time_zone,
        "fiscal_year_start_month": workspace.fiscal_year_start_month,
        "date_format": workspace.date_format, "number_format": workspace.number_format,
    }


class WorkspaceSettingsView(APIView):
    permission_classes = (CanManageSettings,)

    @extend_schema(responses=WorkspaceSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(_settings_body(request.tenant))

    @extend_schema(request=WorkspaceSettingsSerializer, responses=WorkspaceSettingsSerializer)
    def patch(self, request: Request) -> Response:
        serializer = WorkspaceSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        unknown = set(request.data) - set(serializer.fields) if hasattr(request.data, "keys") \
            else set()
        if unknown:
            raise ValidationError({field: ["This setting does not exist or cannot be changed "
                                           "here."] for field in sorted(unknown)})
        try:
            services.workspace_update(actor=request.user, tenant=request.tenant,
                                      **serializer.validated_data)
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict if hasattr(error, "error_dict")
                                  else {"detail": error.messages}) from None
        return Response(_settings_body(request.tenant))


# --- audit log -----------------------------------------------------------------------------

class AuditLogEntrySerializer(serializers.ModelSerializer):
    at = serializers.DateTimeField(source="created_at")
    actor_email = serializers.SerializerMethodField()
    target_type = serializers.SerializerMethodField()
    target_id = serializers.IntegerField(source="object_id", allow_null=True)

    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor", "actor_email", "action", "target_type", "target_id",
                  "ip_address", "changes", "data"]
        read_only_fields = fields

    def get_actor_email(self, entry: AuditEntry) -> str | None:
        return entry.actor.email if entry.actor_id else None

    def get_target_type(self, entry: AuditEntry) -> str | None:
        if entry.content_type_id is None:
            return None
        return f"{entry.content_type.app_label}.{entry.content_type.model}"


class AuditLogQuerySerializer(serializers.Serializer):
    actor = serializers.IntegerField(required=False, min_value=1)
    action = serializers.CharField(required=False, max_length=40, allow_blank=True)
    since = serializers.CharField(required=False)
    until = serializers.CharField(required=False)

    def _moment(self, value: str, field: str) -> datetime:
        """An ISO 8601 date-time, or a date (its start in the workspace's time zone)."""
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(f"Use an ISO 8601 date or date-time for {field}.") from None
        if len(text) <= 10:
            moment = datetime.combine(moment.date(), time.min)
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=timezone.get_current_timezone())
        return moment

    def validate_since(self, value: str) -> datetime:
        return self._moment(value, "since")

    def validate_until(self, value: str) -> datetime:
        return self._moment(value, "until")


_AUDIT_PARAMETERS = [
    OpenApiParameter("actor", int, description="Id of the user who acted."),
    OpenApiParameter("action", str, description='Exact action ("auth.login") or a prefix '
                                                'ending in "." ("user.").'),
    OpenApiParameter("since", str, description="ISO 8601 date or date-time (inclusive)."),
    OpenApiParameter("until", str, description="ISO 8601 date or date-time (exclusive)."),
]


class AuditLogViewSet(VisibilityEnforcedMixin, ExportListMixin, GenericViewSet):
    """Administrative events and sign-ins, newest first, in cursor pages."""

    serializer_class = AuditLogEntrySerializer
    permission_classes = (CanManageSettings,)
    filter_backends = ()

    def visible_queryset(self) -> QuerySet[AuditEntry]:
        query = AuditLogQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = selectors.AuditLogFilters(
            actor_id=data.get("actor"), action=(data.get("action") or "").strip(),
            since=data.get("since"), until=data.get("until"),
        )
        return selectors.audit_log_entries(filters=filters)

    @extend_schema(parameters=_AUDIT_PARAMETERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


def register_api_routes(router: DefaultRouter) -> None:
    router.register("audit-log", AuditLogViewSet, basename="audit-log")


# A singleton resource (GET/PATCH on the collection's own URL) is not a router route.
api_urlpatterns = [
    path("settings/", WorkspaceSettingsView.as_view(), name="workspace-settings"),
]
