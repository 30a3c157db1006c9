"""/api/v1/reports/<slug>/ (one report as JSON, or one of its tables as CSV/XLSX) and
/api/v1/sales-targets/ (targets per rep or team and month). Adapters over the registry, the
filter form the pages use, and crm.reports.services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponseBase
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from crm.core.api.renderers import CSVRenderer, XLSXRenderer
from crm.core.api.viewsets import VisibilityEnforcedMixin
from crm.core.models import Team
from crm.reports import selectors, services
from crm.reports.forms import PRESETS, ReportFilterForm, form_errors
from crm.reports.models import SalesTarget
from crm.reports.output import download, report_json, table_of
from crm.reports.registry import report_spec_get
from tenants.users.models import User, UserKind

# The report slugs the API serves (a contract: clients build these URLs).
REPORT_SLUGS = ("funnel", "forecast", "win-rate", "rep-kpis", "regions", "campaign-roi",
                "key-accounts", "receivables-aging", "service")


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["text", "int", "money", "percent", "decimal",
                                            "days", "date"])
    currency = serializers.CharField(allow_null=True)
    linked = serializers.BooleanField(help_text=_("Whether the row's link lists this figure."))


class RowSerializer(serializers.Serializer):
    values = serializers.DictField(help_text=_("Column key -> value; money, percentages and "
                                               "decimals as strings."))
    link = serializers.CharField(allow_null=True, help_text=_("The list behind the row."))
    cell_links = serializers.DictField(child=serializers.CharField(),
                                       help_text=_("Column key -> the list behind that "
                                                   "figure, where it differs from link."))


class ChartDatasetSerializer(serializers.Serializer):
    label = serializers.CharField()
    column = serializers.CharField()
    data = serializers.ListField(child=serializers.FloatField(allow_null=True))


class ChartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["bar", "horizontal_bar", "line", "pie",
                                            "doughnut", "funnel"])
    stacked = serializers.BooleanField()
    title = serializers.CharField()
    labels = serializers.ListField(child=serializers.CharField())
    datasets = ChartDatasetSerializer(many=True)


class TableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    currency = serializers.CharField(allow_null=True)
    columns = ColumnSerializer(many=True)
    rows = RowSerializer(many=True)
    totals = serializers.DictField(allow_null=True)
    chart = ChartSerializer(allow_null=True)


class RateSerializer(serializers.Serializer):
    currency = serializers.CharField()
    rate = serializers.CharField()
    valid_from = serializers.DateField()


class ConversionSerializer(serializers.Serializer):
    target = serializers.CharField()
    rates = RateSerializer(many=True)


class ReportFiltersSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    team = serializers.IntegerField(allow_null=True)
    rep = serializers.IntegerField(allow_null=True)
    pipeline = serializers.IntegerField(allow_null=True)


class ReportSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    filters = ReportFiltersSerializer()
    tables = TableSerializer(many=True)
    conversion = ConversionSerializer(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())


FILTER_PARAMETERS = [
    OpenApiParameter("period", OpenApiTypes.STR, enum=[key for key, _label in PRESETS],
                     description=_("A preset period (default: this year); start/end without "
                                   "a preset mean a custom period.")),
    OpenApiParameter("start", OpenApiTypes.DATE, description=_("First day (custom period).")),
    OpenApiParameter("end", OpenApiTypes.DATE, description=_("Last day (custom period).")),
    OpenApiParameter("team", OpenApiTypes.INT, description=_("A team the caller may see.")),
    OpenApiParameter("rep", OpenApiTypes.INT, description=_("A rep the caller may see.")),
    OpenApiParameter("pipeline", OpenApiTypes.INT,
                     description=_("Pipeline (funnel and forecast).")),
    OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv", "xlsx"],
                     description=_("csv/xlsx: one table as a file.")),
    OpenApiParameter("table", OpenApiTypes.STR,
                     description=_("The table to download (default: the first).")),
]


class ReportView(APIView):
    """One report with the filters the page takes. Unknown reports and reports the caller's
    role may not open answer 404; bad filters 400 with the messages per field."""

    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer]

    @extend_schema(
        operation_id="reports_retrieve",
        parameters=[OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     enum=list(REPORT_SLUGS)), *FILTER_PARAMETERS],
        responses={200: ReportSerializer,
                   (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
                   (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
                       OpenApiResponse(OpenApiTypes.BINARY),
                   400: OpenApiResponse(description=_("Invalid filters")),
                   404: OpenApiResponse(description=_("No such report for this caller"))},
    )
    def get(self, request: Request, slug: str) -> Response | HttpResponseBase:
        return report_response(request, slug)


def report_response(request: Request, slug: str) -> Response | HttpResponseBase:
    """The answer of ``GET /api/v1/reports/<slug>/`` for an authenticated DRF request:
    Http404 for unknown or forbidden reports, 400 for bad filters, the JSON or a download.
    (crm.service.sla_api answers the ``service`` slug's path with it too.)"""
    if slug not in REPORT_SLUGS:
        raise Http404
    spec = report_spec_get(request.user, slug)
    params = request.query_params.copy()
    fmt = params.pop("format", [""])[-1]
    table_key = params.pop("table", [""])[-1]
    form = ReportFilterForm(params, viewer=request.user)
    if not form.is_valid():
        return Response(form_errors(form), status=status.HTTP_400_BAD_REQUEST)
    report = spec.builder(request.user, form.report_filters())
    if fmt in ("csv", "xlsx"):
        table = table_of(report, table_key)
        if table is None:
            return Response({"table": [_("No such table in this report.")]},
                            status=status.HTTP_400_BAD_REQUEST)
        return download(report, table, fmt)
    return Response(report_json(report))


# --- sales targets -----------------------------------------------------------------------------

class SalesTargetSerializer(serializers.ModelSerializer):
    """A target: ``rep`` or ``team`` (exactly one), ``month`` (any day; stored as the first),
    amount and currency (default: the workspace's)."""

    rep = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(kind=UserKind.STAFF, is_active=True), required=False,
        allow_null=True)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.active(), required=False,
                                              allow_null=True)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)

    class Meta:
        model = SalesTarget
        fields = ["id", "rep", "team", "month", "amount", "currency", "updated_at"]
        read_only_fields = ["id", "updated_at"]
        # One target per subject and month: sales_target_set replaces it (the service's
        # rule), so the model's conditional unique constraints are no serializer validators.
        validators: list[Any] = []

    def create(self, validated_data: dict[str, Any]) -> SalesTarget:
        return services.sales_target_set(
            actor=self.context["request"].user, month=validated_data["month"],
            amount=validated_data["amount"], rep=validated_data.get("rep"),
            team=validated_data.get("team"), currency=validated_data.get("currency"))

    def update(self, instance: SalesTarget, validated_data: dict[str, Any]) -> SalesTarget:
        return services.sales_target_update(
            target=instance, actor=self.context["request"].user,
            amount=validated_data.get("amount", instance.amount),
            currency=validated_data.get("currency"), month=validated_data.get("month"))


class SalesTargetUpdateSerializer(SalesTargetSerializer):
    """Updates change month, amount and currency; the rep or team stays."""

    class Meta(SalesTargetSerializer.Meta):
        read_only_fields = ["id", "rep", "team", "updated_at"]


class SalesTargetViewSet(VisibilityEnforcedMixin, mixins.ListModelMixin,
                         mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         mixins.UpdateModelMixin, mixins.DestroyModelMixin, GenericViewSet):
    """Targets the caller may read (their own and their teams'; all for admins). Admins set
    any target, managers those of the teams they manage and of those teams' reps (403
    otherwise); another tenant's or a hidden target is a 404."""

    serializer_class = SalesTargetSerializer
    filterset_fields = ["rep", "team", "month"]
    ordering_fields = ["month", "id"]
    ordering = ["month", "id"]

    def visible_queryset(self) -> QuerySet[SalesTarget]:
        return selectors.sales_target_visible(viewer=self.request.user).order_by("month", "id")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action in ("update", "partial_update"):
            return SalesTargetUpdateSerializer
        return SalesTargetSerializer

    def get_object(self) -> SalesTarget:
        target = selectors.sales_target_get_for(viewer=self.request.user,
                                                target_id=self.kwargs["pk"])
        self.check_object_permissions(self.request, target)
        return target

    def perform_destroy(self, instance: SalesTarget) -> None:
        services.sales_target_delete(target=instance, actor=self.request.user)


def register_api_routes(router: DefaultRouter) -> None:
    router.register("sales-targets", SalesTargetViewSet, basename="sales-target")


api_urlpatterns = [
    path("reports/<str:slug>/", ReportView.as_view(), name="report-detail"),
]
