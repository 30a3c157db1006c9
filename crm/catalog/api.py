"""/api/v1/products/, /api/v1/price-books/ and /api/v1/prices/.

Fixed names for integrators (issue 9): products carry ``id``, ``sku``, ``name``,
``description``, ``family``, ``unit``, ``list_price``, ``currency``, ``tax_rate``,
``active``, ``serialized``, ``external_id`` (money as strings to the currency's minor unit,
"1234.50"); ``PUT /products/external/{external_id}/`` upserts (201 created, 200 otherwise,
a replay changes nothing); price books nest ``entries: [{"product", "unit_price",
"min_quantity"}]`` and an optional ``account``; ``GET /prices/?account=&product=&quantity=
&date=`` answers ``{"unit_price", "currency", "price_book", "source", ...}`` from
crm.catalog.pricing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from crm.accounts.api import VisibleAccountField
from crm.accounts.models import AccountTier
from crm.accounts.selectors import account_get_for
from crm.catalog import pricing, selectors, services
from crm.catalog.filters import PriceBookFilter, ProductFilter
from crm.catalog.models import PriceBook, PriceBookKind, Product
from crm.core.api.upsert import ExternalIdUpsertMixin
from crm.core.api.viewsets import VisibleModelViewSet
from crm.core.money import round_money
from tenants.users.permissions import Capability

MONEY_FIELD = {"max_digits": 14, "decimal_places": 4}
PRODUCT_FIELDS = ("id", "sku", "name", "description", "family", "unit", "list_price",
                  "currency", "tax_rate", "active", "serialized", "external_id")


def _money_str(amount: Decimal, currency: str) -> str:
    try:
        return str(round_money(amount, currency))
    except ValueError:
        return str(amount)


def _number_str(value: Decimal) -> str:
    """A quantity or percentage without trailing zeros: "10", "12.5"."""
    text = format(value.normalize(), "f")
    return text


class ProductSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    family = serializers.CharField(max_length=100, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=30, required=False, allow_blank=True)
    list_price = serializers.DecimalField(**MONEY_FIELD)
    currency = serializers.CharField(max_length=3)
    tax_rate = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    external_id = serializers.CharField(max_length=100, required=False, allow_null=True,
                                        allow_blank=True)

    class Meta:
        model = Product
        fields = PRODUCT_FIELDS

    def to_representation(self, instance: Product) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["list_price"] = _money_str(instance.list_price, instance.currency)
        data["tax_rate"] = _number_str(instance.tax_rate)
        return data

    def create(self, validated_data: dict[str, Any]) -> Product:
        return services.product_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance: Product, validated_data: dict[str, Any]) -> Product:
        return services.product_update(product=instance, actor=self.context["request"].user,
                                       **validated_data)


class ProductViewSet(ExternalIdUpsertMixin, VisibleModelViewSet):
    """The catalog: every staff user reads it; EDIT_RECORDS changes it. No DELETE (set
    ``active`` false: quotes and orders keep pointing at the product).
    ``PUT /products/external/{external_id}/`` upserts (crm.core.api.upsert)."""

    upsert_model = Product

    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    search_fields = ("sku", "name", "family")
    ordering_fields = ("name", "sku", "list_price", "updated_at", "id")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def visible_queryset(self) -> QuerySet[Product]:
        return selectors.product_list(viewer=self.request.user)


@extend_schema_field(OpenApiTypes.INT)
class CatalogProductField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[Product]:
        return selectors.product_list(viewer=self.context["request"].user)


class PriceBookEntrySerializer(serializers.Serializer):
    product = CatalogProductField()
    unit_price = serializers.DecimalField(**MONEY_FIELD)
    min_quantity = serializers.DecimalField(max_digits=14, decimal_places=4, required=False,
                                            default=Decimal(1))


class PriceBookSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=PriceBookKind.choices, required=False,
                                   default=PriceBookKind.GROUP)
    group_tier = serializers.ChoiceField(choices=AccountTier.choices, required=False,
                                         allow_blank=True)
    group_tag = serializers.CharField(max_length=50, required=False, allow_blank=True)
    account = VisibleAccountField(required=False, allow_null=True)
    currency = serializers.CharField(max_length=3)
    entries = PriceBookEntrySerializer(many=True, required=False)

    class Meta:
        model = PriceBook
        fields = ("id", "name", "kind", "group_tier", "group_tag", "account", "currency",
                  "valid_from", "valid_until", "active", "entries")

    def to_representation(self, instance: PriceBook) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["entries"] = [
            {"id": entry.pk, "product": entry.product_id,
             "unit_price": _money_str(entry.unit_price, instance.currency),
             "min_quantity": _number_str(entry.min_quantity)}
            for entry in instance.entries.all()
        ]
        return data

    def create(self, validated_data: dict[str, Any]) -> PriceBook:
        entries = validated_data.pop("entries", None)
        actor = self.context["request"].user
        book = services.price_book_create(actor=actor, **validated_data)
        if entries is not None:
            services.price_book_entries_replace(book=book, entries=entries, actor=actor)
        return selectors.price_book_get_for(viewer=actor, book_id=book.pk)

    def update(self, instance: PriceBook, validated_data: dict[str, Any]) -> PriceBook:
        entries = validated_data.pop("entries", None)
        actor = self.context["request"].user
        book = services.price_book_update(book=instance, actor=actor, **validated_data)
        if entries is not None:
            services.price_book_entries_replace(book=book, entries=entries, actor=actor)
        return selectors.price_book_get_for(viewer=actor, book_id=book.pk)


class PriceBookViewSet(VisibleModelViewSet):
    """Price books with their entries; every staff user reads, MANAGE_CATALOG writes. PUT or
    PATCH with ``entries`` replaces the book's entries with the list given."""

    serializer_class = PriceBookSerializer
    filterset_class = PriceBookFilter
    search_fields = ("name",)
    ordering_fields = ("name", "valid_from", "id")
    write_capability = Capability.MANAGE_CATALOG

    def visible_queryset(self) -> QuerySet[PriceBook]:
        return selectors.price_book_api_list(viewer=self.request.user)


class PriceQuery(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    account = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=4, required=False,
                                        default=Decimal(1), min_value=Decimal(0))
    date = serializers.DateField(required=False)


PriceAnswer = inline_serializer("PriceAnswer", {
    "unit_price": serializers.CharField(), "currency": serializers.CharField(),
    "price_book": serializers.DictField(allow_null=True), "source": serializers.CharField(),
    "min_quantity": serializers.CharField(allow_null=True),
    "product": serializers.IntegerField(), "quantity": serializers.CharField(),
})


class PriceViewSet(viewsets.ViewSet):
    """/prices/: what an account pays for a product (the pricing service's answer)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("product", OpenApiTypes.INT, required=True),
            OpenApiParameter("account", OpenApiTypes.INT,
                             description=_("An account you may see (none: standard price)")),
            OpenApiParameter("quantity", OpenApiTypes.DECIMAL),
            OpenApiParameter("date", OpenApiTypes.DATE, description=_("Default: today")),
        ],
        responses={200: PriceAnswer},
    )
    def list(self, request: Request) -> Response:
        query = PriceQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        product = selectors.product_get_for(viewer=request.user, product_id=data["product"])
        account = (account_get_for(viewer=request.user, account_id=data["account"])
                   if data.get("account") else None)
        answer = pricing.price_for(account=account, product=product,
                                   quantity=data["quantity"],
                                   on=data.get("date") or timezone.localdate())
        body = answer.as_dict()
        body["unit_price"] = _money_str(answer.unit_price, answer.currency)
        body["quantity"] = _number_str(answer.quantity)
        if answer.min_quantity is not None:
            body["min_quantity"] = _number_str(answer.min_quantity)
        return Response(body)


def register_api_routes(router: DefaultRouter) -> None:
    router.register("products", ProductViewSet, basename="product")
    router.register("price-books", PriceBookViewSet, basename="price-book")
    router.register("prices", PriceViewSet, basename="prices")
