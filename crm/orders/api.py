"""/api/v1/orders/: orders and contracts (fixed names for integrators, issue 9).

Every order answers ``id``, ``number``, ``revision``, ``kind``, ``status``, ``account``,
``currency``, ``subtotal``, ``tax_total``, ``total`` (strings to the currency's minor unit),
``delivery_terms``, ``payment_terms``, ``lines`` (each with ``line_net``, ``line_tax``,
``delivered_quantity``) and ``approvals: [{"round", "step", "step_label", "approver",
"approvers", "decision", "comment", "at"}]``. POST enters a draft (lines like quotes:
``product`` or ``description``, ``quantity``, ``unit_price``?, ``discount_percent``?,
``tax_rate``?); PATCH changes a draft. Actions: ``/submit/``, ``/approve/``, ``/reject/``
(``{"comment"}``), ``/deliver/`` (``{"lines": [{"line", "quantity", "serial_numbers"}]}``),
``/amend/`` (the new draft revision). ``PUT /orders/external/{external_id}/`` upserts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from crm.accounts.api import VisibleAccountField, VisibleContactField
from crm.catalog.api import CatalogProductField
from crm.core.api.upsert import ExternalIdUpsertMixin
from crm.core.api.viewsets import VisibleModelViewSet
from crm.core.money import round_money
from crm.orders import selectors, services
from crm.orders.filters import OrderFilter
from crm.orders.models import Order, OrderKind
from crm.orders.services.delivery import DeliveryInput
from crm.sales.models import Opportunity
from crm.sales.selectors import opportunity_visible

QUANTITY = {"max_digits": 14, "decimal_places": 3}
MONEY_IN = {"max_digits": 16, "decimal_places": 4, "min_value": Decimal(0)}
PERCENT_IN = {"max_digits": 7, "decimal_places": 3, "min_value": Decimal(0)}


def _money(amount: Decimal, currency: str) -> str:
    try:
        return str(round_money(amount, currency))
    except ValueError:
        return str(amount)


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


@extend_schema_field(OpenApiTypes.INT)
class VisibleOpportunityField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[Opportunity]:
        return opportunity_visible(viewer=self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class OrderAccountField(VisibleAccountField):
    """An account the caller may see (by id)."""


@extend_schema_field(OpenApiTypes.INT)
class OrderContactField(VisibleContactField):
    """A contact the caller may see (by id)."""


class OrderLineInSerializer(serializers.Serializer):
    product = CatalogProductField(required=False, allow_null=True)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                        default="")
    quantity = serializers.DecimalField(**QUANTITY, min_value=Decimal(0))
    unit_price = serializers.DecimalField(**MONEY_IN, required=False, allow_null=True)
    discount_percent = serializers.DecimalField(**PERCENT_IN, max_value=Decimal(100),
                                                required=False, allow_null=True)
    tax_rate = serializers.DecimalField(**PERCENT_IN, required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("product") is None and not attrs.get("description", "").strip():
            raise serializers.ValidationError(_("Give a product or a description."))
        return attrs


class OrderLineOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    product = serializers.IntegerField(allow_null=True)
    description = serializers.CharField()
    quantity = serializers.CharField()
    unit_price = serializers.CharField()
    discount_percent = serializers.CharField()
    tax_rate = serializers.CharField()
    line_net = serializers.CharField()
    line_tax = serializers.CharField()
    delivered_quantity = serializers.CharField()


class OrderApprovalSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    step = serializers.IntegerField()
    step_label = serializers.CharField()
    approver = serializers.IntegerField(allow_null=True, help_text=_("Who decided"))
    approvers = serializers.ListField(child=serializers.IntegerField(),
                                      help_text=_("Who may decide the step"))
    decision = serializers.CharField(help_text="pending, approved, rejected, withdrawn")
    comment = serializers.CharField()
    at = serializers.DateTimeField(allow_null=True, help_text=_("When it was decided"))


class OrderSerializer(serializers.ModelSerializer):
    """An order as the API answers it (money as strings to the currency's minor unit)."""

    subtotal = serializers.SerializerMethodField()
    tax_total = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    discount_percent = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()
    approvals = serializers.SerializerMethodField()
    amendment = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ("id", "number", "revision", "kind", "status", "account", "contact",
                  "opportunity", "quote", "owner", "currency", "ordered_on", "delivery_terms",
                  "payment_terms", "starts_on", "ends_on", "renewal_on", "discount_percent",
                  "subtotal", "tax_total", "total", "approved_at", "submitted_at", "amends",
                  "amendment", "external_id", "lines", "approvals", "created_at",
                  "updated_at")
        read_only_fields = fields

    def get_subtotal(self, instance: Order) -> str:
        return _money(instance.subtotal, instance.currency)

    def get_tax_total(self, instance: Order) -> str:
        return _money(instance.tax_total, instance.currency)

    def get_total(self, instance: Order) -> str:
        return _money(instance.total, instance.currency)

    def get_discount_percent(self, instance: Order) -> str:
        return _number(instance.discount_percent)

    @extend_schema_field(OpenApiTypes.INT)
    def get_amendment(self, instance: Order) -> int | None:
        try:
            return instance.amendment.pk
        except Order.amendment.RelatedObjectDoesNotExist:
            return None

    @extend_schema_field(OrderLineOutSerializer(many=True))
    def get_lines(self, instance: Order) -> list[dict[str, Any]]:
        return [
            {"id": line.pk, "position": line.position, "product": line.product_id,
             "description": line.description, "quantity": _number(line.quantity),
             "unit_price": _money(line.unit_price, instance.currency),
             "discount_percent": _number(line.discount_percent),
             "tax_rate": _number(line.tax_rate),
             "line_net": _money(line.line_net, instance.currency),
             "line_tax": _money(line.line_tax, instance.currency),
             "delivered_quantity": _number(line.delivered_quantity)}
            for line in instance.lines.all()
        ]

    @extend_schema_field(OrderApprovalSerializer(many=True))
    def get_approvals(self, instance: Order) -> list[dict[str, Any]]:
        return [
            {"round": entry.round, "step": entry.step, "step_label": entry.label,
             "approver": entry.decided_by.pk if entry.decided_by else None,
             "approvers": entry.approver_ids, "decision": entry.decision,
             "comment": entry.comment,
             "at": entry.decided_at.isoformat().replace("+00:00", "Z")
             if entry.decided_at else None}
            for entry in selectors.approval_trail(instance)
        ]


class OrderWriteSerializer(serializers.Serializer):
    """What a caller sends to enter (POST) or change (PATCH, upsert) a draft; the answer is
    the order as ``OrderSerializer`` renders it."""

    account = OrderAccountField()
    contact = OrderContactField(required=False, allow_null=True)
    opportunity = VisibleOpportunityField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=OrderKind.choices, required=False,
                                   default=OrderKind.ORDER)
    currency = serializers.CharField(max_length=3, required=False)
    ordered_on = serializers.DateField(required=False, help_text=_("Default: today"))
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)
    renewal_on = serializers.DateField(required=False, allow_null=True)
    delivery_terms = serializers.CharField(required=False, allow_blank=True, default="")
    payment_terms = serializers.CharField(required=False, allow_blank=True, default="")
    discount_percent = serializers.DecimalField(**PERCENT_IN, max_value=Decimal(100),
                                                required=False, default=Decimal(0))
    external_id = serializers.CharField(max_length=100, required=False, allow_null=True,
                                        allow_blank=True)
    lines = OrderLineInSerializer(many=True)

    def to_representation(self, instance: Order) -> dict[str, Any]:
        return dict(OrderSerializer(instance, context=self.context).data)

    def _line_inputs(self, account: Any, currency: str, rows: list[dict[str, Any]]
                     ) -> list[services.OrderLineInput]:
        return services.line_inputs(account=account, currency=currency, requests=[
            services.LineRequest(
                quantity=row["quantity"], product=row.get("product"),
                description=row.get("description") or "", unit_price=row.get("unit_price"),
                discount_percent=row.get("discount_percent"), tax_rate=row.get("tax_rate"))
            for row in rows])

    def create(self, validated_data: dict[str, Any]) -> Order:
        actor = self.context["request"].user
        account = validated_data["account"]
        currency = (validated_data.get("currency") or selectors.tenant_currency()).upper()
        lines = self._line_inputs(account, currency, validated_data.get("lines", []))
        order = services.order_create(
            account=account, actor=actor, currency=currency, lines=lines,
            kind=validated_data.get("kind", OrderKind.ORDER),
            opportunity=validated_data.get("opportunity"),
            contact=validated_data.get("contact"), ordered_on=validated_data.get("ordered_on"),
            delivery_terms=validated_data.get("delivery_terms", ""),
            payment_terms=validated_data.get("payment_terms", ""),
            starts_on=validated_data.get("starts_on"), ends_on=validated_data.get("ends_on"),
            renewal_on=validated_data.get("renewal_on"),
            discount_percent=validated_data.get("discount_percent") or Decimal(0),
            external_id=validated_data.get("external_id") or None)
        return selectors.order_get_for(viewer=actor, order_id=order.pk)

    def update(self, instance: Order, validated_data: dict[str, Any]) -> Order:
        actor = self.context["request"].user
        if "account" in validated_data and validated_data["account"] != instance.account:
            raise serializers.ValidationError(
                {"account": _("An order stays with its account.")})
        currency = (validated_data.get("currency") or instance.currency).upper()
        rows = validated_data.get("lines")
        lines = self._line_inputs(instance.account, currency, rows) if rows is not None \
            else None
        services.order_update(
            order=instance, actor=actor, kind=validated_data.get("kind"),
            contact=validated_data.get("contact"),
            opportunity=validated_data.get("opportunity"),
            currency=validated_data.get("currency"),
            ordered_on=validated_data.get("ordered_on"),
            delivery_terms=validated_data.get("delivery_terms"),
            payment_terms=validated_data.get("payment_terms"),
            starts_on=validated_data.get("starts_on"), ends_on=validated_data.get("ends_on"),
            renewal_on=validated_data.get("renewal_on"),
            discount_percent=validated_data.get("discount_percent"), lines=lines,
            external_id=validated_data.get("external_id") or None)
        return selectors.order_get_for(viewer=actor, order_id=instance.pk)


class OrderApproveSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="",
                                    max_length=5000)


class OrderRejectSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000)


class OrderDeliveryLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    quantity = serializers.DecimalField(**QUANTITY, min_value=Decimal("0.001"))
    serial_numbers = serializers.ListField(child=serializers.CharField(max_length=100),
                                           required=False, default=list, max_length=10000)


class OrderDeliverSerializer(serializers.Serializer):
    lines = OrderDeliveryLineSerializer(many=True, allow_empty=False)
    delivered_on = serializers.DateField(required=False)


WRITE_ANSWERS = {200: OrderSerializer, 201: OrderSerializer}


@extend_schema_view(
    create=extend_schema(request=OrderWriteSerializer, responses={201: OrderSerializer}),
    partial_update=extend_schema(request=OrderWriteSerializer,
                                 responses={200: OrderSerializer}),
    update=extend_schema(exclude=True),
)
class OrderViewSet(ExternalIdUpsertMixin, VisibleModelViewSet):
    """Orders and contracts the caller may see (owner/team rules of crm.core.visibility).
    No DELETE: an order is a record of what was agreed."""

    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    search_fields = ("number", "account__name", "external_id")
    ordering_fields = ("ordered_on", "total", "number", "id", "updated_at")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    upsert_model = Order

    def visible_queryset(self) -> QuerySet[Order]:
        return selectors.order_api_list(viewer=self.request.user)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action in ("create", "update", "partial_update", "upsert_external"):
            return OrderWriteSerializer
        return OrderSerializer

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not kwargs.get("partial"):
            raise MethodNotAllowed("PUT")  # drafts change by PATCH (or the upsert)
        return super().update(request, *args, **kwargs)

    @extend_schema(request=OrderWriteSerializer, responses=WRITE_ANSWERS)
    @action(detail=False, methods=["put"], url_path=r"external/(?P<external_id>[^/]+)")
    def upsert_external(self, request: Request, external_id: str) -> Response:
        """Create the draft with this external id, or change it while it is a draft."""
        return super().upsert_external(request, external_id)

    def _order(self) -> Order:
        return selectors.order_get_for(viewer=self.request.user, order_id=self.kwargs["pk"])

    def _answer(self, order: Order, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.order_get_for(viewer=self.request.user, order_id=order.pk)
        return Response(OrderSerializer(fresh, context={"request": self.request}).data,
                        status=code)

    @extend_schema(request=None, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        """Send the draft along the approval chain (→ pending_approval, or approved)."""
        return self._answer(services.order_submit(order=self._order(), actor=request.user))

    @extend_schema(request=OrderApproveSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approve the pending step (candidates only; never one's own order)."""
        order = self._order()
        body = OrderApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.order_approve(order=order, actor=request.user,
                                                   comment=body.validated_data["comment"]))

    @extend_schema(request=OrderRejectSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """Reject the pending step with a comment: the order returns to draft."""
        order = self._order()
        body = OrderRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.order_reject(order=order, actor=request.user,
                                                  comment=body.validated_data["comment"]))

    @extend_schema(request=OrderDeliverSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def deliver(self, request: Request, pk: str) -> Response:
        """Mark lines delivered (partial deliveries allowed, one serial per unit of a
        serialised product); delivered units become the customer's assets."""
        order = self._order()
        body = OrderDeliverSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        items = []
        for row in body.validated_data["lines"]:
            line = selectors.order_line_get(order=order, line_id=row["line"])
            if line is None:
                raise serializers.ValidationError(
                    {"lines": [_("Line %(line)s is not a line of this order.")
                               % {"line": row["line"]}]})
            items.append(DeliveryInput(line=line, quantity=row["quantity"],
                                       serial_numbers=row["serial_numbers"]))
        services.order_deliver(order=order, actor=request.user, deliveries=items,
                               delivered_on=body.validated_data.get("delivered_on"))
        return self._answer(order)

    @extend_schema(request=None, responses={201: OrderSerializer})
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: str) -> Response:
        """The amendment of an approved order: a draft revision with its own approval."""
        amendment = services.order_amend(order=self._order(), actor=request.user)
        return self._answer(amendment, status.HTTP_201_CREATED)

    def upsert_visible_instance(self, existing: Any) -> Order:
        found = self.get_queryset().filter(pk=existing.pk).first()
        if found is None:
            raise NotFound()
        return found


def register_api_routes(router: DefaultRouter) -> None:
    router.register("orders", OrderViewSet, basename="order")
