"""/api/v1/sla-policies/, /api/v1/service-contracts/ and GET /api/v1/reports/service/.

Fixed names for integrators (issue 10):
- policies: ``{"name", "time_zone", "hours": [{"weekday": 0-6 (Monday 0), "start": "09:00",
  "end": "18:00"}], "holidays": ["2026-10-01", ...], "extra_working_days": [...],
  "targets": [{"severity", "first_response_minutes", "resolution_minutes"}]}`` plus ``id``
  and the optional ``around_the_clock`` (24x7) and ``is_default``. Bad intervals,
  overlapping intervals, unknown zones or severities answer 400 JSON naming the field.
- contracts: ``{"account", "assets": [ids] or [] for all, "starts_on", "ends_on",
  "sla_policy"}`` plus ``id``, ``number``, the optional ``allowance_kind`` ("visits",
  "hours" or "") and ``allowance``, and the read-only ``used``.
- reports: ``?group_by=product|severity|queue|agent&since=&until=`` (dates; default the last
  365 days), the figures of crm.service.reports.
Reads: every staff user (contracts of the accounts they may see); writes: MANAGE_SLA. No
DELETE (requests and contracts keep pointing at their policy)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.http.response import HttpResponseBase
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from crm.accounts.api import VisibleAccountField
from crm.accounts.selectors import account_visible_queryset
from crm.core.api.renderers import CSVRenderer, XLSXRenderer
from crm.core.api.viewsets import VisibleModelViewSet
from crm.service import reports, sla_selectors
from crm.service.models import Asset, ServiceContract, Severity, SlaPolicy
from crm.service.services import contracts as contract_services
from crm.service.services import policies as policy_services
from crm.service.sla_filters import ServiceContractFilter, SlaPolicyFilter
from tenants.users.permissions import Capability

WEEKDAYS = "0 (Monday) to 6 (Sunday)"


class HoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text=WEEKDAYS)
    start = serializers.CharField(help_text="HH:MM")
    end = serializers.CharField(help_text="HH:MM (24:00 for midnight)")


class TargetSerializer(serializers.Serializer):
    severity = serializers.ChoiceField(choices=Severity.choices)
    first_response_minutes = serializers.IntegerField()
    resolution_minutes = serializers.IntegerField()


@extend_schema_field(serializers.ListField(child=HoursSerializer()))
class HoursField(serializers.JSONField):
    """Passed to the service as given: its checks (overlaps, HH:MM...) are the rules."""


@extend_schema_field(serializers.ListField(child=TargetSerializer()))
class TargetsField(serializers.JSONField):
    pass


@extend_schema_field(serializers.ListField(child=serializers.DateField()))
class DatesField(serializers.JSONField):
    pass


class SlaPolicySerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=100)
    time_zone = serializers.CharField(max_length=64)
    around_the_clock = serializers.BooleanField(required=False)
    hours = HoursField(required=False)
    holidays = DatesField(required=False)
    extra_working_days = DatesField(required=False)
    targets = TargetsField(required=False)
    is_default = serializers.BooleanField(required=False)

    class Meta:
        model = SlaPolicy
        fields = ("id", "name", "time_zone", "around_the_clock", "hours", "holidays",
                  "extra_working_days", "targets", "is_default")

    def create(self, validated_data: dict[str, Any]) -> SlaPolicy:
        return policy_services.sla_policy_create(actor=self.context["request"].user,
                                                 **validated_data)

    def update(self, instance: SlaPolicy, validated_data: dict[str, Any]) -> SlaPolicy:
        return policy_services.sla_policy_update(policy=instance,
                                                 actor=self.context["request"].user,
                                                 **validated_data)


class SlaPolicyViewSet(VisibleModelViewSet):
    """SLA policies in business time; every staff user reads, MANAGE_SLA writes."""

    serializer_class = SlaPolicySerializer
    search_fields = ("name",)
    ordering_fields = ("name", "id")
    write_capability = Capability.MANAGE_SLA
    filterset_class = SlaPolicyFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def visible_queryset(self) -> QuerySet[SlaPolicy]:
        return sla_selectors.sla_policy_list(viewer=self.request.user)


@extend_schema_field(OpenApiTypes.INT)
class VisibleAssetField(serializers.PrimaryKeyRelatedField):
    """An asset of an account the requesting user may see."""

    def get_queryset(self) -> QuerySet[Asset]:
        return Asset.objects.filter(
            account__in=account_visible_queryset(viewer=self.context["request"].user))


@extend_schema_field(OpenApiTypes.INT)
class PolicyField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[SlaPolicy]:
        return sla_selectors.sla_policy_list(viewer=self.context["request"].user)


class ServiceContractSerializer(serializers.ModelSerializer):
    account = VisibleAccountField()
    assets = VisibleAssetField(many=True, required=False)
    sla_policy = PolicyField()
    allowance_kind = serializers.ChoiceField(
        choices=[("", _("None")), ("visits", _("Visits")), ("hours", _("Hours"))],
        required=False, allow_blank=True)
    allowance = serializers.DecimalField(max_digits=10, decimal_places=2, required=False,
                                         allow_null=True)

    class Meta:
        model = ServiceContract
        fields = ("id", "number", "account", "assets", "starts_on", "ends_on", "sla_policy",
                  "allowance_kind", "allowance", "used")
        read_only_fields = ("number", "used")

    def to_representation(self, instance: ServiceContract) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["assets"] = sorted(asset.pk for asset in instance.assets.all())
        return data

    def create(self, validated_data: dict[str, Any]) -> ServiceContract:
        actor = self.context["request"].user
        contract = contract_services.service_contract_create(actor=actor, **validated_data)
        return sla_selectors.service_contract_get_for(viewer=actor, contract_id=contract.pk)

    def update(self, instance: ServiceContract,
               validated_data: dict[str, Any]) -> ServiceContract:
        actor = self.context["request"].user
        contract = contract_services.service_contract_update(contract=instance, actor=actor,
                                                             **validated_data)
        return sla_selectors.service_contract_get_for(viewer=actor, contract_id=contract.pk)


class ServiceContractViewSet(VisibleModelViewSet):
    """Service contracts (entitlements) of the accounts you may see; MANAGE_SLA writes."""

    serializer_class = ServiceContractSerializer
    ordering_fields = ("starts_on", "ends_on", "id")
    filterset_class = ServiceContractFilter
    search_fields = ("number", "account__name")
    write_capability = Capability.MANAGE_SLA
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def visible_queryset(self) -> QuerySet[ServiceContract]:
        return sla_selectors.service_contract_list(viewer=self.request.user)


class ReportQuery(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=reports.GROUP_BY, required=False,
                                       default="severity")
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)


class ServiceReportView(APIView):
    """Service analysis: defects by product, model and severity per month, mean times to
    first response and resolution, SLA attainment per group, backlog per agent, warranties
    and contracts ending in the next 90 days."""

    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(reports.GROUP_BY)),
            OpenApiParameter("since", OpenApiTypes.DATE),
            OpenApiParameter("until", OpenApiTypes.DATE),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response | HttpResponseBase:
        """Two contracts share this path: the service analysis of issue 10 (``group_by``,
        ``since``, ``until``; its keys) and the dashboards' ``service`` report of issue 12
        (``start``, ``end``, ``team``, ``rep``, ``format``, ``table``; the keys ``slug``,
        ``title``, ``filters``, ``tables``, ``conversion``, ``notes``). The keys do not
        overlap, so one answer carries both; a download or an error of the dashboards'
        report is answered as that report's view answers it."""
        from crm.reports.api import report_response  # the dashboards' report (issue 12)

        query = ReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            report = reports.service_report(viewer=request.user, group_by=data["group_by"],
                                            since=data.get("since"), until=data.get("until"))
        except ValueError as exc:
            raise ValidationError({"since": [str(exc)]}) from None
        try:
            generic = report_response(request, "service")
        except Http404:
            # A role without the dashboards' service report keeps issue 10's analysis.
            return Response(report.as_dict())
        if generic.status_code != status.HTTP_200_OK or not isinstance(generic, Response) \
                or not isinstance(generic.data, dict):
            return generic
        return Response({**report.as_dict(), **generic.data})


def register_api_routes(router: DefaultRouter) -> None:
    router.register("sla-policies", SlaPolicyViewSet, basename="sla-policy")
    router.register("service-contracts", ServiceContractViewSet, basename="service-contract")


api_urlpatterns = [
    path("reports/service/", ServiceReportView.as_view(), name="reports-service"),
]
