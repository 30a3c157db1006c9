"""/api/v1/quotes/ (fixed names for integrators, issue 9).

POST ``{"account", "opportunity"?, "contact"?, "currency"?, "valid_until"?, "terms"?,
"language"?, "discount_percent"?, "lines": [{"product" or "description", "quantity",
"unit_price"?, "discount_percent"?, "tax_rate"?}]}``. Every quote answers with ``id``,
``number``, ``revision``, ``status``, ``subtotal``, ``tax_total``, ``total`` (strings to the
currency's minor unit, "1234.50") and ``lines`` each with ``line_net`` and ``line_tax``.
PATCH changes a quote (a sent or decided one gets a new revision: the answer is the new
revision). Actions: ``submit``, ``approve``, ``reject`` (``{"comment"}``), ``send``,
``accept`` (-> ``{"order": id}``), ``revise`` (-> the new revision), ``GET pdf``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from crm.accounts.api import VisibleAccountField, VisibleContactField
from crm.catalog.api import CatalogProductField
from crm.core.api.viewsets import VisibleModelViewSet
from crm.core.money import round_money
from crm.quotes import selectors, services
from crm.quotes.filters import QuoteFilter
from crm.quotes.models import Quote, QuoteLine
from crm.quotes.pdf import render_quote_pdf
from crm.sales.selectors import opportunity_visible

MONEY = {"max_digits": 14, "decimal_places": 4}
PERCENT = {"max_digits": 7, "decimal_places": 3, "min_value": Decimal(0)}


def _money(amount: Decimal, currency: str) -> str:
    try:
        return str(round_money(amount, currency))
    except ValueError:
        return str(amount)


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


class PdfRenderer(BaseRenderer):
    """Lets ``Accept: application/pdf`` reach the PDF action; errors stay JSON bodies."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: dict[str, Any] | None = None) -> bytes:
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data)


@extend_schema_field(OpenApiTypes.INT)
class QuoteAccountField(VisibleAccountField):
    pass


@extend_schema_field(OpenApiTypes.INT)
class QuoteContactField(VisibleContactField):
    pass


@extend_schema_field(OpenApiTypes.INT)
class VisibleOpportunityField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet:
        return opportunity_visible(viewer=self.context["request"].user)


class QuoteLineInputSerializer(serializers.Serializer):
    product = CatalogProductField(required=False, allow_null=True)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, min_value=Decimal(0))
    unit_price = serializers.DecimalField(**MONEY, required=False, allow_null=True,
                                          min_value=Decimal(0))
    discount_percent = serializers.DecimalField(**PERCENT, max_value=Decimal(100),
                                                required=False, default=Decimal(0))
    tax_rate = serializers.DecimalField(**PERCENT, required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("product") is None and not (attrs.get("description") or "").strip():
            raise serializers.ValidationError(
                {"description": _("Give a product or a description.")})
        return attrs


class QuoteLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuoteLine
        fields = ("id", "position", "product", "description", "quantity", "unit_price",
                  "list_unit_price", "price_book", "price_overridden", "discount_percent",
                  "tax_rate", "tax_overridden", "line_net", "line_tax")
        read_only_fields = fields

    def to_representation(self, instance: QuoteLine) -> dict[str, Any]:
        data = super().to_representation(instance)
        currency = self.context["currency"]
        for name in ("unit_price", "line_net", "line_tax"):
            data[name] = _money(getattr(instance, name), currency)
        data["list_unit_price"] = (None if instance.list_unit_price is None
                                   else _money(instance.list_unit_price, currency))
        for name in ("quantity", "discount_percent", "tax_rate"):
            data[name] = _number(getattr(instance, name))
        return data


class QuoteSerializer(serializers.ModelSerializer):
    """The answer for every quote: money as strings to the currency's minor unit."""

    display_number = serializers.CharField(read_only=True)
    lines = serializers.SerializerMethodField()

    class Meta:
        model = Quote
        fields = ("id", "number", "revision", "display_number", "status", "account",
                  "opportunity", "contact", "owner", "currency", "language", "valid_until",
                  "terms", "note", "discount_percent", "subtotal", "tax_total", "total",
                  "previous_revision", "sent_at", "accepted_at", "accepted_by_name",
                  "rejected_reason", "created_at", "updated_at", "lines")
        read_only_fields = fields

    @extend_schema_field(QuoteLineSerializer(many=True))
    def get_lines(self, instance: Quote) -> list[dict[str, Any]]:
        # Built directly (the shape of QuoteLineSerializer): a list page renders 50 quotes
        # with their lines, and field-by-field serialisation dominated its time.
        currency = instance.currency
        return [{
            "id": line.pk, "position": line.position, "product": line.product_id,
            "description": line.description, "quantity": _number(line.quantity),
            "unit_price": _money(line.unit_price, currency),
            "list_unit_price": (None if line.list_unit_price is None
                                else _money(line.list_unit_price, currency)),
            "price_book": line.price_book_id, "price_overridden": line.price_overridden,
            "discount_percent": _number(line.discount_percent),
            "tax_rate": _number(line.tax_rate), "tax_overridden": line.tax_overridden,
            "line_net": _money(line.line_net, currency),
            "line_tax": _money(line.line_tax, currency),
        } for line in instance.lines.all()]

    def to_representation(self, instance: Quote) -> dict[str, Any]:
        data = super().to_representation(instance)
        for name in ("subtotal", "tax_total", "total"):
            data[name] = _money(getattr(instance, name), instance.currency)
        data["discount_percent"] = _number(instance.discount_percent)
        return data


class QuoteWriteSerializer(serializers.Serializer):
    account = QuoteAccountField()
    opportunity = VisibleOpportunityField(required=False, allow_null=True)
    contact = QuoteContactField(required=False, allow_null=True)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    terms = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    language = serializers.ChoiceField(choices=[("", ""), ("en", "en"),
                                                ("zh-hans", "zh-hans")], required=False)
    discount_percent = serializers.DecimalField(**PERCENT, max_value=Decimal(100),
                                                required=False)
    lines = QuoteLineInputSerializer(many=True, allow_empty=False, max_length=1000)


class QuoteUpdateSerializer(QuoteWriteSerializer):
    account = None  # type: ignore[assignment]  # a quote keeps its account
    lines = QuoteLineInputSerializer(many=True, allow_empty=False, max_length=1000,
                                     required=False)


def _line_inputs(lines: list[dict[str, Any]]) -> list[services.QuoteLineInput]:
    return [services.QuoteLineInput(
        product=line.get("product"), description=line.get("description", ""),
        quantity=line["quantity"], unit_price=line.get("unit_price"),
        discount_percent=line.get("discount_percent") or Decimal(0),
        tax_rate=line.get("tax_rate")) for line in lines]


class QuoteCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class QuoteAcceptSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)


OrderAnswer = inline_serializer("QuoteAcceptedOrder", {"order": serializers.IntegerField()})


class QuoteViewSet(VisibleModelViewSet):
    """Quotes the caller may see (owner and team rules, crm.quotes.selectors). No DELETE:
    quotes are revised or expire, and the trail stays."""

    serializer_class = QuoteSerializer
    filterset_class = QuoteFilter
    ordering_fields = ("created_at", "total", "valid_until", "id")
    http_method_names = ["get", "post", "patch", "head", "options"]

    def visible_queryset(self) -> QuerySet[Quote]:
        return selectors.quote_api_list(viewer=self.request.user)

    def _quote(self) -> Quote:
        return selectors.quote_get_for(self.request.user, self.kwargs["pk"])

    def _answer(self, quote: Quote, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.quote_get_for(self.request.user, quote.pk)
        return Response(QuoteSerializer(fresh, context=self.get_serializer_context()).data,
                        status=code)

    @extend_schema(request=QuoteWriteSerializer, responses={201: QuoteSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = QuoteWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        quote = services.quote_create(
            account=data["account"], actor=request.user, lines=_line_inputs(data["lines"]),
            opportunity=data.get("opportunity"), contact=data.get("contact"),
            currency=data.get("currency") or None, valid_until=data.get("valid_until"),
            terms=data.get("terms"), language=data.get("language", ""),
            discount_percent=data.get("discount_percent") or Decimal(0),
            note=data.get("note", ""))
        return self._answer(quote, status.HTTP_201_CREATED)

    @extend_schema(request=QuoteUpdateSerializer, responses={200: QuoteSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        quote = self._quote()
        body = QuoteUpdateSerializer(data=request.data, partial=True,
                                     context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        changes: dict[str, Any] = {
            name: data[name] for name in ("contact", "opportunity", "valid_until", "terms",
                                          "note", "language", "discount_percent")
            if name in data}
        if "lines" in data:
            changes["lines"] = _line_inputs(data["lines"])
        updated = services.quote_update(quote=quote, actor=request.user, **changes)
        return self._answer(updated)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response({"detail": "Use PATCH."}, status=status.HTTP_405_METHOD_NOT_ALLOWED)

    @extend_schema(request=None, responses={200: QuoteSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        """Submit: ``approved`` within the submitter's discount limit, else
        ``pending_approval`` with someone whose limit covers it."""
        return self._answer(services.quote_submit(quote=self._quote(), actor=request.user))

    @extend_schema(request=QuoteCommentSerializer, responses={200: QuoteSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        body = QuoteCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.quote_approve(
            quote=self._quote(), actor=request.user,
            comment=body.validated_data.get("comment", "")))

    @extend_schema(request=QuoteCommentSerializer, responses={200: QuoteSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """Pending approval: the approver rejects (back to draft). Sent: rejected on the
        customer's behalf. ``comment`` is required either way."""
        body = QuoteCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.quote_reject(
            quote=self._quote(), actor=request.user,
            comment=body.validated_data.get("comment", "")))

    @extend_schema(request=None, responses={200: QuoteSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str) -> Response:
        return self._answer(services.quote_send(quote=self._quote(), actor=request.user))

    @extend_schema(request=QuoteAcceptSerializer, responses={200: OrderAnswer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """Accepted on the customer's behalf: who, when and from which address are kept;
        the order is created."""
        body = QuoteAcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.quote_accept(quote=self._quote(), actor=request.user,
                                       name=body.validated_data.get("name", ""),
                                       ip_address=request.META.get("REMOTE_ADDR"))
        return Response({"order": result.order.pk})

    @extend_schema(request=None, responses={201: QuoteSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str) -> Response:
        new = services.quote_revise(quote=self._quote(), actor=request.user)
        return self._answer(new, status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(
        response=OpenApiTypes.BINARY, description=_("The quote as a PDF"))})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request: Request, pk: str) -> HttpResponse:
        quote = self._quote()
        response = HttpResponse(render_quote_pdf(quote), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="{quote.number}-rev{quote.revision}.pdf"')
        return response


def register_api_routes(router: DefaultRouter) -> None:
    router.register("quotes", QuoteViewSet, basename="quote")
