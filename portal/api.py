"""The member API at /portal/api/v1/: its base viewset, tokens, me/ and quotes (assets and
service requests: portal.api_service).

``MemberReadOnlyViewSet`` is the base of every member endpoint: members only (staff and
anonymous callers are refused by its permission class, whatever a subclass declares), portal
tokens or the portal session, and querysets that start from the member's accessible
accounts: a subclass declares ``scoped_queryset(scope)`` and calls a portal selector with
it; ``get_queryset`` is final (crm.core.api.viewsets). Another account's record is a 404.

``?account=<id>`` narrows any endpoint to one of the member's accounts (a foreign id is a
404); without it, every account of the member counts.
"""

from decimal import Decimal
from typing import Any

from django.contrib.auth import authenticate, user_logged_in
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from crm.api_tokens.authentication import HashedTokenAuthentication
from crm.api_tokens.models import TokenAudience
from crm.core.api.pagination import DefaultCursorPagination
from crm.core.api.viewsets import VisibleReadOnlyViewSet
from crm.core.money import round_money
from crm.quotes.models import Quote, QuoteLine
from crm.service.models import Asset, ServiceRequest
from portal import selectors
from portal.access import is_member
from portal.selectors import PortalScope
from portal.services.tokens import member_api_token_create
from tenants.security.throttle import (
    mark_throttled,
    throttle_check,
    throttle_record_failure,
    throttled_response,
)


class MemberTokenAuthentication(HashedTokenAuthentication):
    """``Authorization: Token <secret>`` with portal tokens only (staff tokens are unknown
    here, as portal tokens are on the staff API)."""

    audience = TokenAudience.PORTAL


class IsPortalMember(BasePermission):
    """Active portal members only: staff, operators and anonymous callers are refused."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_member(request.user)


MEMBER_AUTHENTICATION = (MemberTokenAuthentication, SessionAuthentication)


class MemberReadOnlyViewSet(VisibleReadOnlyViewSet):
    authentication_classes = MEMBER_AUTHENTICATION
    permission_classes = (IsPortalMember,)
    pagination_class = DefaultCursorPagination
    filter_backends = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The door is part of the base: a subclass cannot open it to staff or visitors.
        for name in ("permission_classes", "authentication_classes", "visible_queryset"):
            if name in cls.__dict__:
                raise TypeError(f"{cls.__name__} may not override {name}; declare "
                                "scoped_queryset(scope) instead.")
        if "scoped_queryset" not in cls.__dict__:
            # Checked when the class is defined, so no member endpoint can exist without
            # saying which of the member's records it lists.
            raise TypeError(f"{cls.__name__} must define scoped_queryset(scope), starting "
                            "from a portal selector.")

    def member_scope(self) -> PortalScope:
        cached = getattr(self, "_member_scope", None)
        if cached is None:
            account = self.request.query_params.get("account")
            if account:
                membership = selectors.member_membership_get(self.request.user, account)
                cached = selectors.member_scope(self.request.user,
                                                for_account=membership.account_id)
            else:
                cached = selectors.member_scope(self.request.user)
            self._member_scope = cached
        return cached

    def visible_queryset(self) -> QuerySet:
        return self.scoped_queryset(self.member_scope())

    def scoped_queryset(self, scope: PortalScope) -> QuerySet:
        """The member's records of this endpoint; every subclass defines it (checked in
        __init_subclass__), so only the unrouted base itself lands here."""
        raise ImproperlyConfigured(f"{type(self).__name__} must define scoped_queryset()")


ACCOUNT_PARAMETER = OpenApiParameter(
    "account", OpenApiTypes.INT, description="Only this one of the member's accounts.")


def _money(amount: Decimal | None, currency: str) -> str | None:
    if amount is None:
        return None
    try:
        return str(round_money(amount, currency))
    except ValueError:
        return str(amount)


def _number(value: Decimal) -> str:
    """A quantity or percentage without trailing zeros: "10", "12.5"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class AccountRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _account_ref(record: Any) -> dict[str, Any]:
    return {"id": record.account_id, "name": record.account.name}


class ProductRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()


def _product_ref(product: Any) -> dict[str, Any] | None:
    if product is None:
        return None
    return {"id": product.pk, "sku": product.sku, "name": product.name}


class QuoteLineSerializer(serializers.ModelSerializer):
    product = serializers.SerializerMethodField()
    quantity = serializers.SerializerMethodField()
    unit_price = serializers.SerializerMethodField()
    discount_percent = serializers.SerializerMethodField()
    tax_rate = serializers.SerializerMethodField()
    line_net = serializers.SerializerMethodField()
    line_tax = serializers.SerializerMethodField()

    class Meta:
        model = QuoteLine
        fields = ("id", "position", "product", "description", "quantity", "unit_price",
                  "discount_percent", "tax_rate", "line_net", "line_tax")

    @extend_schema_field(ProductRefSerializer(allow_null=True))
    def get_product(self, line: QuoteLine) -> dict[str, Any] | None:
        return _product_ref(line.product)

    def get_quantity(self, line: QuoteLine) -> str:
        return _number(line.quantity)

    def get_unit_price(self, line: QuoteLine) -> str | None:
        return _money(line.unit_price, line.quote.currency)

    def get_discount_percent(self, line: QuoteLine) -> str:
        return _number(line.discount_percent)

    def get_tax_rate(self, line: QuoteLine) -> str:
        return _number(line.tax_rate)

    def get_line_net(self, line: QuoteLine) -> str | None:
        return _money(line.line_net, line.quote.currency)

    def get_line_tax(self, line: QuoteLine) -> str | None:
        return _money(line.line_tax, line.quote.currency)


class QuoteSerializer(serializers.ModelSerializer):
    account = serializers.SerializerMethodField()
    subtotal = serializers.SerializerMethodField()
    tax_total = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    display_number = serializers.CharField(read_only=True)

    class Meta:
        model = Quote
        fields = ("id", "number", "revision", "display_number", "status", "account",
                  "currency", "subtotal", "tax_total", "total", "valid_until", "note",
                  "sent_at", "accepted_at", "created_at", "updated_at")

    @extend_schema_field(AccountRefSerializer)
    def get_account(self, quote: Quote) -> dict[str, Any]:
        return _account_ref(quote)

    def get_subtotal(self, quote: Quote) -> str | None:
        return _money(quote.subtotal, quote.currency)

    def get_tax_total(self, quote: Quote) -> str | None:
        return _money(quote.tax_total, quote.currency)

    def get_total(self, quote: Quote) -> str | None:
        return _money(quote.total, quote.currency)


class QuoteDetailSerializer(QuoteSerializer):
    lines = serializers.SerializerMethodField()

    class Meta(QuoteSerializer.Meta):
        fields = (*QuoteSerializer.Meta.fields, "terms", "discount_percent", "lines")

    @extend_schema_field(QuoteLineSerializer(many=True))
    def get_lines(self, quote: Quote) -> list[dict[str, Any]]:
        lines = list(quote.lines.all())
        for line in lines:
            line.quote = quote  # the currency, without a query per line
        return QuoteLineSerializer(lines, many=True).data  # type: ignore[return-value]


class AssetSerializer(serializers.ModelSerializer):
    account = serializers.SerializerMethodField()
    product = serializers.SerializerMethodField()
    under_warranty = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = ("id", "account", "product", "make", "model", "serial_number",
                  "customer_reference", "location", "status", "installed_on",
                  "warranty_start", "warranty_end", "under_warranty", "parent")

    @extend_schema_field(AccountRefSerializer)
    def get_account(self, asset: Asset) -> dict[str, Any]:
        return _account_ref(asset)

    @extend_schema_field(ProductRefSerializer(allow_null=True))
    def get_product(self, asset: Asset) -> dict[str, Any] | None:
        return _product_ref(asset.product)

    def get_under_warranty(self, asset: Asset) -> bool:
        from django.utils import timezone

        today = timezone.localdate()
        return bool(asset.warranty_end and asset.warranty_end >= today
                    and (asset.warranty_start is None or asset.warranty_start <= today))


class ServiceRequestSerializer(serializers.ModelSerializer):
    account = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = ("id", "number", "account", "asset", "subject", "category", "severity",
                  "status", "channel", "reported_at", "first_response_due", "resolution_due",
                  "first_response_at", "resolved_at", "closed_at")

    @extend_schema_field(AccountRefSerializer)
    def get_account(self, service_request: ServiceRequest) -> dict[str, Any]:
        return _account_ref(service_request)


@extend_schema(parameters=[ACCOUNT_PARAMETER])
class MemberQuoteViewSet(MemberReadOnlyViewSet):
    """Quotes the member may see (portal.selectors.member_quotes)."""

    serializer_class = QuoteSerializer
    queryset = Quote.objects.none()

    def scoped_queryset(self, scope: PortalScope) -> QuerySet:
        if self.action == "retrieve":
            return selectors.member_quotes(scope).prefetch_related("lines__product")
        return selectors.member_quotes(scope)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return QuoteDetailSerializer if self.action == "retrieve" else QuoteSerializer


class MembershipRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()


class MeView(APIView):
    """The signed-in member, their current (default) account and all their accounts."""

    authentication_classes = MEMBER_AUTHENTICATION
    permission_classes = (IsPortalMember,)

    @extend_schema(
        parameters=[ACCOUNT_PARAMETER],
        responses={200: inline_serializer("PortalMe", {
            "id": serializers.IntegerField(), "email": serializers.EmailField(),
            "first_name": serializers.CharField(), "last_name": serializers.CharField(),
            "language": serializers.CharField(),
            "role": serializers.ChoiceField(choices=["customer_admin", "member"]),
            "account": AccountRefSerializer(),
            "accounts": MembershipRefSerializer(many=True),
        })},
    )
    def get(self, request: Request) -> Response:
        member = request.user
        memberships = list(selectors.member_memberships(member))
        if not memberships:
            return Response({"detail": _("No account is linked to this portal account."),
                             "code": "no_account"}, status=status.HTTP_403_FORBIDDEN)
        current = memberships[0]
        if request.query_params.get("account"):
            current = selectors.member_membership_get(member, request.query_params["account"])
        return Response({
            "id": member.pk, "email": member.email, "first_name": member.first_name,
            "last_name": member.last_name, "language": member.language,
            "role": current.role,
            "account": {"id": current.account_id, "name": current.account.name},
            "accounts": [{"id": m.account_id, "name": m.account.name, "role": m.role}
                         for m in memberships],
        })


class MemberTokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class MemberObtainTokenView(APIView):
    """POST {"email", "password"} -> {"token"}: a new portal token per call, for members
    only (a staff user's right password is refused and counted like a wrong one). The one
    sign-in throttle applies: 429 with Retry-After past its limits."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "token"

    @extend_schema(
        request=MemberTokenRequestSerializer,
        responses={200: inline_serializer("PortalTokenResponse",
                                          {"token": serializers.CharField()})},
    )
    def post(self, request: Request) -> Response:
        http_request = request._request
        login_name = request.data.get("email", "") if hasattr(request.data, "get") else ""
        decision = throttle_check(http_request, login_name)
        if decision.blocked:
            mark_throttled(http_request)
            response = Response({"detail": decision.message, "code": "throttled"},
                                status=status.HTTP_429_TOO_MANY_REQUESTS)
            return throttled_response(response, decision)
        serializer = MemberTokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = authenticate(http_request, username=data["email"], password=data["password"])
        if user is None or not is_member(user):
            if user is not None:
                throttle_record_failure(http_request, data["email"])
            return Response({"detail": _("E-mail or password is not correct."),
                             "code": "invalid_login"}, status=status.HTTP_400_BAD_REQUEST)
        issued = member_api_token_create(member=user)
        user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        return Response({"token": issued.secret})
