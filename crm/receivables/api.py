"""Receivables in the staff API (fixed names for integrators, issue 9):

- ``GET/POST /api/v1/orders/{id}/payments/``: an order's payments; POST
  ``{"amount", "paid_on", "instalment"?, "reference"?}`` (finance only) records one against
  the instalment or oldest-first. Answers ``allocations: [{"instalment", "amount"}]``.
- ``GET/PUT /api/v1/orders/{id}/schedule/``: the instalments; PUT
  ``{"instalments": [{"id"?, "due_on", "amount", "label"?}]}`` or
  ``{"split": {"count", "first_due_on", "months_between"?}}`` replaces them.
- ``GET /api/v1/receivables/aging/?as_of=&group_by=rep|account``.

Money travels as strings to the currency's minor unit ("1234.50"). These are their own
paths under ``orders/<int:order_id>/``, included before the router's URLs, so they coexist
with the orders viewset at ``/api/v1/orders/``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core.api.viewsets import VisibilityEnforcedMixin
from crm.core.money import round_money
from crm.orders.models import Order
from crm.receivables import selectors, services
from crm.receivables.models import Instalment, Payment
from tenants.users.permissions import Capability

MONEY_IN = {"max_digits": 16, "decimal_places": 4}


def _money(amount: Decimal, currency: str) -> str:
    return str(round_money(amount, currency))


class AllocationSerializer(serializers.Serializer):
    instalment = serializers.IntegerField(source="instalment_id")
    amount = serializers.CharField()


class PaymentSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(**MONEY_IN)
    paid_on = serializers.DateField()
    instalment = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                          max_value=2**63 - 1, source="instalment_id")
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    recorded_by = serializers.IntegerField(read_only=True, source="recorded_by_id")
    allocations = AllocationSerializer(many=True, read_only=True)
    currency = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = ("id", "order", "instalment", "amount", "currency", "paid_on", "reference",
                  "allocations", "recorded_by", "created_at")
        read_only_fields = ("id", "order", "created_at")

    def get_currency(self, payment: Payment) -> str:
        return payment.order.currency

    def to_representation(self, instance: Payment) -> dict[str, Any]:
        data = super().to_representation(instance)
        currency = instance.order.currency
        data["amount"] = _money(instance.amount, currency)
        data["allocations"] = [
            {"instalment": allocation.instalment_id,
             "amount": _money(allocation.amount, currency)}
            for allocation in instance.allocations.all()]
        return data


class OrderPaymentsView(VisibilityEnforcedMixin, generics.ListCreateAPIView):
    """An order's payments (newest first); POST records one (finance only)."""

    serializer_class = PaymentSerializer
    write_capability = Capability.MANAGE_FINANCE
    filter_backends: list = []

    def _order(self) -> Order:
        if not hasattr(self, "_cached_order"):
            self._cached_order = selectors.order_get_for(viewer=self.request.user,
                                                         order_id=self.kwargs["order_id"])
        return self._cached_order

    def visible_queryset(self) -> QuerySet[Payment]:
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        return selectors.payments_of(order=self._order()).select_related("order")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        order = self._order()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        instalment = None
        if data.get("instalment_id") is not None:
            instalment = selectors.instalment_of(order=order,
                                                 instalment_id=data["instalment_id"])
        payment = services.payment_record(order=order, amount=data["amount"],
                                          paid_on=data["paid_on"], actor=request.user,
                                          instalment=instalment,
                                          reference=data.get("reference", ""))
        fresh = selectors.payments_of(order=order).select_related("order").get(pk=payment.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)


class InstalmentInSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                  max_value=2**63 - 1)
    due_on = serializers.DateField()
    amount = serializers.DecimalField(**MONEY_IN)
    label = serializers.CharField(max_length=100, required=False, allow_blank=True)


class SplitSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=services.MAX_INSTALMENTS)
    first_due_on = serializers.DateField()
    months_between = serializers.IntegerField(min_value=0, max_value=24, required=False,
                                              default=1)


class ScheduleInSerializer(serializers.Serializer):
    instalments = InstalmentInSerializer(many=True, required=False)
    split = SplitSerializer(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("instalments" in attrs) == ("split" in attrs):
            raise serializers.ValidationError(
                {"instalments": _("Give either the instalments or a split.")})
        return attrs


ScheduleAnswer = inline_serializer("PaymentSchedule", {
    "order": serializers.IntegerField(), "currency": serializers.CharField(),
    "total": serializers.CharField(), "scheduled": serializers.CharField(),
    "paid": serializers.CharField(), "outstanding": serializers.CharField(),
    "overdue": serializers.CharField(),
    "instalments": inline_serializer("ScheduledInstalment", {
        "id": serializers.IntegerField(), "position": serializers.IntegerField(),
        "label": serializers.CharField(), "due_on": serializers.DateField(),
        "amount": serializers.CharField(), "paid": serializers.CharField(),
        "outstanding": serializers.CharField(),
    }, many=True),
})


def _schedule_body(order: Order, instalments: list[Instalment]) -> dict[str, Any]:
    currency = order.currency
    balance = selectors.order_balance(order=order)
    return {
        "order": order.pk, "currency": currency, "total": _money(order.total, currency),
        "scheduled": _money(balance.scheduled, currency),
        "paid": _money(balance.paid, currency),
        "outstanding": _money(balance.outstanding, currency),
        "overdue": _money(balance.overdue, currency),
        "instalments": [
            {"id": item.pk, "position": item.position, "label": item.label,
             "due_on": item.due_on.isoformat(), "amount": _money(item.amount, currency),
             "paid": _money(item.paid_amount, currency),
             "outstanding": _money(item.amount - item.paid_amount, currency)}
            for item in instalments],
    }


class OrderScheduleView(APIView):
    """An order's payment schedule; PUT replaces it (the instalments must add up to the
    order total exactly)."""

    @extend_schema(responses={200: ScheduleAnswer})
    def get(self, request: Request, order_id: int) -> Response:
        order = selectors.order_get_for(viewer=request.user, order_id=order_id)
        return Response(_schedule_body(order, selectors.schedule_of(order=order)))

    @extend_schema(request=ScheduleInSerializer, responses={200: ScheduleAnswer})
    def put(self, request: Request, order_id: int) -> Response:
        order = selectors.order_get_for(viewer=request.user, order_id=order_id)
        serializer = ScheduleInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "split" in data:
            items = services.schedule_split(order=order, count=data["split"]["count"],
                                            first_due_on=data["split"]["first_due_on"],
                                            months_between=data["split"]["months_between"])
        else:
            items = [services.InstalmentInput(due_on=item["due_on"], amount=item["amount"],
                                              label=item.get("label", ""),
                                              id=item.get("id"))
                     for item in data["instalments"]]
        services.schedule_set(order=order, instalments=items, actor=request.user)
        order = selectors.order_get_for(viewer=request.user, order_id=order_id)
        return Response(_schedule_body(order, selectors.schedule_of(order=order)))


class AgingQuery(serializers.Serializer):
    as_of = serializers.DateField(required=False)
    group_by = serializers.ChoiceField(choices=selectors.GROUP_BY, required=False,
                                       default="rep")


class AgingRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    currency = serializers.CharField()
    buckets = inline_serializer("AgingBuckets", {
        key: serializers.CharField() for key in selectors.BUCKET_KEYS})
    total = serializers.CharField()


class AgingBucketSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class AgingReportSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    group_by = serializers.CharField()
    buckets = AgingBucketSerializer(many=True)
    rows = AgingRowSerializer(many=True)
    totals = AgingRowSerializer(many=True)


def _aging_row(row: selectors.AgingRow) -> dict[str, Any]:
    return {"id": row.key, "name": row.label, "currency": row.currency,
            "buckets": {key: _money(value, row.currency) for key, value in row.cells()},
            "total": _money(row.total, row.currency)}


class AgingView(APIView):
    """Receivables aging: open amounts per bucket (current, 1-30, 31-60, 61-90, over 90
    days overdue) by rep or by account, per currency, as of a date (default: today in the
    workspace's time zone)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATE,
                             description=_("Default: today in the workspace's time zone")),
            OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(selectors.GROUP_BY)),
        ],
        responses={200: AgingReportSerializer},
    )
    def get(self, request: Request) -> Response:
        query = AgingQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = selectors.aging_report(viewer=request.user,
                                        as_of=query.validated_data.get("as_of"),
                                        group_by=query.validated_data["group_by"])
        return Response({
            "as_of": report.as_of.isoformat(), "group_by": report.group_by,
            "buckets": [{"key": key, "label": str(label)} for key, label in selectors.BUCKETS],
            "rows": [_aging_row(row) for row in report.rows],
            "totals": [_aging_row(row) for row in report.totals],
        })


api_urlpatterns = [
    path("orders/<int:order_id>/payments/", OrderPaymentsView.as_view(),
         name="order-payments"),
    path("orders/<int:order_id>/schedule/", OrderScheduleView.as_view(),
         name="order-schedule"),
    path("receivables/aging/", AgingView.as_view(), name="receivables-aging"),
]
