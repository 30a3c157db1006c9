"""The quote builder's member endpoints under /portal/api/v1/ (names fixed: a contract with
integrators):

- ``GET catalog/``: active products with the member's account's ``unit_price``;
- ``POST quotes/``: a quote request from ``{"lines": [{"product", "quantity"}], "note"?}``;
- ``POST quotes/preview/``: the same lines priced and totalled, nothing saved (the builder
  page asks it as the member types);
- ``POST quotes/{id}/accept/`` ``{"name"}`` and ``POST quotes/{id}/reject/`` ``{"reason"}``.

Adapters only: the rules are portal.quote_builder.services; what the member sees is
portal.selectors and portal.quote_builder.selectors. The account is the member's current
one: ``?account=`` (a foreign id is a 404) or their first.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from crm.catalog.models import Product
from crm.core.api.pagination import DefaultCursorPagination
from crm.quotes.models import Quote
from crm.quotes.services import TotalsPreview
from portal import api
from portal.api import ACCOUNT_PARAMETER, MemberReadOnlyViewSet, _money, _number
from portal.models import PortalMembership
from portal.quote_builder import selectors as builder_selectors
from portal.quote_builder import services as builder
from portal.selectors import PortalScope
from tenants.security.client_ip import client_ip

# --- catalog -----------------------------------------------------------------------------


class CatalogPagination(DefaultCursorPagination):
    ordering = ("name", "id")


class CatalogProductSerializer(serializers.ModelSerializer):
    unit_price = serializers.SerializerMethodField(
        help_text="What the member's account pays for one unit (the pricing service).")
    currency = serializers.SerializerMethodField(
        help_text="The currency of unit_price.")
    price_source = serializers.SerializerMethodField(
        help_text="Where unit_price comes from: account, group, parent, standard or list.")
    list_price = serializers.SerializerMethodField(
        help_text="The catalog list price, only where the tenant made list prices public.")
    tax_rate = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ("id", "sku", "name", "description", "family", "unit", "unit_price",
                  "currency", "price_source", "list_price", "tax_rate")

    def _price(self, product: Product) -> Any:
        return self.context["prices"].of(product)

    def get_unit_price(self, product: Product) -> str | None:
        answer = self._price(product)
        return _money(answer.unit_price, answer.currency)

    def get_currency(self, product: Product) -> str:
        return str(self._price(product).currency)

    @extend_schema_field(serializers.ChoiceField(
        choices=["account", "group", "parent", "standard", "list"]))
    def get_price_source(self, product: Product) -> str:
        return str(self._price(product).source)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_list_price(self, product: Product) -> str | None:
        if not self.context["list_prices_shown"]:
            return None
        return _money(product.list_price, product.currency)

    def get_tax_rate(self, product: Product) -> str:
        return _number(product.tax_rate)


def _current_membership(view: MemberReadOnlyViewSet) -> PortalMembership:
    """The membership of the member's current account: ``?account=`` (a foreign id is a
    404, by the base's scope) or their first (the scope holds the memberships it read)."""
    memberships = view.member_scope().memberships
    if not memberships:
        raise PermissionDenied(_("No account is linked to this portal account."))
    return memberships[0]


@extend_schema(parameters=[
    ACCOUNT_PARAMETER,
    OpenApiParameter("search", OpenApiTypes.STR, description="Name or SKU contains."),
    OpenApiParameter("sku", OpenApiTypes.STR, description="This SKU (any case)."),
])
class MemberCatalogViewSet(MemberReadOnlyViewSet):
    """Active products with the unit price of the member's current account (``?account=``
    or their first), by name. ``list_price`` is null unless the tenant's portal settings
    make list prices public."""

    serializer_class = CatalogProductSerializer
    queryset = Product.objects.none()
    pagination_class = CatalogPagination

    def scoped_queryset(self, scope: PortalScope) -> QuerySet:
        params = self.request.query_params
        return builder_selectors.member_catalog(scope, search=params.get("search", ""),
                                                sku=params.get("sku", ""))

    def catalog_prices(self) -> builder_selectors.CatalogPrices:
        """The current account's prices, asked once per request."""
        cached = getattr(self, "_catalog_prices", None)
        if cached is None:
            membership = _current_membership(self)
            cached = builder_selectors.CatalogPrices(account=membership.account)
            self._catalog_prices = cached
        return cached

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):  # the schema has no member
            context["prices"] = self.catalog_prices()
            context["list_prices_shown"] = builder_selectors.member_list_prices_shown()
        return context

    def paginate_queryset(self, queryset: QuerySet) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        if page is not None:
            # The page's prices in one batch (the pricing service: at most two queries).
            self.catalog_prices().load(page)
        return page


# --- quotes ------------------------------------------------------------------------------


class QuoteLineRequestSerializer(serializers.Serializer):
    product = serializers.IntegerField(help_text="A catalog product id (GET catalog/).")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, coerce_to_string=True,
                                        help_text="More than 0, at most 1000000, three "
                                                  "decimals.")


class QuoteRequestSerializer(serializers.Serializer):
    lines = QuoteLineRequestSerializer(many=True, allow_empty=True,
                                       help_text=f"1 to {builder.MAX_LINES} lines.")
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 trim_whitespace=False)


class QuotePreviewLineSerializer(serializers.Serializer):
    product = api.ProductRefSerializer()
    quantity = serializers.CharField()
    unit_price = serializers.CharField()
    tax_rate = serializers.CharField()
    line_net = serializers.CharField()
    line_tax = serializers.CharField()
    line_total = serializers.CharField()


class QuotePreviewSerializer(serializers.Serializer):
    currency = serializers.CharField()
    lines = QuotePreviewLineSerializer(many=True)
    subtotal = serializers.CharField()
    tax_total = serializers.CharField()
    total = serializers.CharField()


def preview_data(preview: TotalsPreview) -> dict[str, Any]:
    """The preview's JSON shape (money as strings in the currency's minor unit)."""
    currency = preview.totals.currency
    rows = []
    for line, result in zip(preview.lines, preview.totals.lines, strict=True):
        rows.append({
            "product": api._product_ref(line.product),
            "quantity": _number(line.quantity),
            "unit_price": _money(line.unit_price, currency),
            "tax_rate": _number(line.tax_rate),
            "line_net": _money(result.line_net, currency),
            "line_tax": _money(result.line_tax, currency),
            "line_total": _money(result.line_net + result.line_tax, currency),
        })
    return {"currency": currency, "lines": rows,
            "subtotal": _money(preview.totals.subtotal, currency),
            "tax_total": _money(preview.totals.tax_total, currency),
            "total": _money(preview.totals.total, currency)}


def _field_errors(error: DjangoValidationError) -> ApiValidationError:
    """The service's errors in DRF's shape: ``lines.<n>.<field>`` nested under ``lines``
    (``{"lines": [{}, {"quantity": [...]}]}``), as DRF reports a badly typed line."""
    if not hasattr(error, "error_dict"):
        return ApiValidationError({"detail": error.messages})
    flat = error.message_dict
    body: dict[str, Any] = {}
    nested: dict[int, dict[str, list[str]]] = {}
    for key, messages in flat.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit():
            nested.setdefault(int(parts[1]), {})[parts[2]] = messages
        else:
            body[key] = messages
    if nested:
        size = max(nested) + 1
        body["lines"] = [nested.get(index, {}) for index in range(size)]
    return ApiValidationError(body)


def _basket(request: Request) -> tuple[list[builder.BasketLine], str]:
    serializer = QuoteRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    return ([builder.BasketLine(product=line["product"], quantity=line["quantity"])
             for line in data["lines"]], data.get("note", ""))


class AcceptRequestSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, trim_whitespace=False,
                                 help_text="The name the member signs with.")


class RejectRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False)


class OrderRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()


ERROR_RESPONSES = {400: OpenApiResponse(description="Field errors (JSON)."),
                   404: OpenApiResponse(description="Not one of the member's.")}


@extend_schema(parameters=[ACCOUNT_PARAMETER])
class MemberQuoteViewSet(api.MemberQuoteViewSet):
    """Quotes the member may see (portal.selectors.member_quotes), quote requests, the live
    totals of a basket, and the member's decision on a quote sent to them."""

    def scoped_queryset(self, scope: PortalScope) -> QuerySet:
        return super().scoped_queryset(scope)

    def _serve(self, run: Any) -> Any:
        try:
            return run()
        except DjangoValidationError as error:
            raise _field_errors(error) from None

    @extend_schema(request=QuoteRequestSerializer,
                   responses={201: api.QuoteDetailSerializer, **ERROR_RESPONSES})
    def create(self, request: Request) -> Response:
        """A quote request (status ``requested``) for the member's current account."""
        lines, note = _basket(request)
        membership = _current_membership(self)
        quote = self._serve(lambda: builder.member_quote_request_submit(
            member=request.user, membership=membership, lines=lines, note=note))
        quote = Quote.objects.select_related("account").prefetch_related(
            "lines__product").get(pk=quote.pk)
        return Response(api.QuoteDetailSerializer(quote).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=QuoteRequestSerializer,
                   responses={200: QuotePreviewSerializer, **ERROR_RESPONSES})
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """The basket priced for the member's current account and totalled by the CRM's
        totals service; nothing is saved."""
        lines, _note = _basket(request)
        membership = _current_membership(self)
        preview = self._serve(lambda: builder.member_quote_preview(
            member=request.user, membership=membership, lines=lines))
        return Response(preview_data(preview))

    @extend_schema(request=AcceptRequestSerializer,
                   responses={200: inline_serializer("PortalQuoteAccepted", {
                       "order": OrderRefSerializer(), "quote": api.QuoteSerializer()}),
                       **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """Accept a quote sent to the member, signing with a typed name (time and address
        recorded); the order is created."""
        self.get_object()  # not one of the member's: 404 before the body is looked at
        serializer = AcceptRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        accepted = self._serve(lambda: builder.member_quote_accept(
            member=request.user, quote_id=pk, name=serializer.validated_data["name"],
            ip_address=client_ip(request._request) or None, scope=self.member_scope()))
        order = accepted.order
        return Response({
            "order": {"id": order.pk, "number": order.number, "status": order.status},
            "quote": api.QuoteSerializer(accepted.quote).data})

    @extend_schema(request=RejectRequestSerializer,
                   responses={200: api.QuoteSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """Reject a quote sent to the member, with a reason."""
        self.get_object()  # not one of the member's: 404 before the body is looked at
        serializer = RejectRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rejected = self._serve(lambda: builder.member_quote_reject(
            member=request.user, quote_id=pk, reason=serializer.validated_data["reason"],
            scope=self.member_scope()))
        rejected = Quote.objects.select_related("account").get(pk=rejected.pk)
        return Response(api.QuoteSerializer(rejected).data)
