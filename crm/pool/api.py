"""/api/v1/pool/ (accounts in the shared pools, keyed by account id, with claim, return and
assign actions) and /api/v1/pools/ (the pools and their rules). Thin adapters over
crm.pool services and selectors: bad input answers 400 JSON (cap reached, no reason, not in
the pool), an account the caller may not see answers 404."""

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.viewsets import GenericViewSet

from crm.accounts.models import Account
from crm.core.api.export import ExportListMixin
from crm.core.api.filters import CrmFilterSet
from crm.core.api.viewsets import VisibilityEnforcedMixin, VisibleReadOnlyViewSet
from crm.pool import selectors, services
from crm.pool.models import OwnershipChange, Pool, PoolRule
from tenants.users.models import User
from tenants.users.permissions import Capability, can


class PoolRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = PoolRule
        fields = ["max_accounts_per_rep", "reclaim_after_days_without_activity",
                  "reclaim_after_days_without_won_deal", "warn_days_before"]


class PoolSerializer(serializers.ModelSerializer):
    rule = PoolRuleSerializer(read_only=True)
    available_count = serializers.IntegerField(read_only=True, default=0)
    held_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Pool
        fields = ["id", "name", "team", "region", "active", "rule", "available_count",
                  "held_count"]
        read_only_fields = fields


class OwnershipChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = OwnershipChange
        fields = ["id", "kind", "from_user", "to_user", "actor", "reason", "pool", "at"]
        read_only_fields = fields


class PoolAccountSerializer(serializers.ModelSerializer):
    pool = serializers.IntegerField(source="pool_membership.pool_id", read_only=True)
    owner_since = serializers.DateTimeField(source="pool_membership.owner_since",
                                            read_only=True)
    last_reason = serializers.CharField(read_only=True, default="", allow_null=True)

    class Meta:
        model = Account
        fields = ["id", "name", "region", "industry", "owner", "pool", "owner_since",
                  "last_activity_at", "last_reason"]
        read_only_fields = fields


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=500)


class AssignSerializer(serializers.Serializer):
    to_user = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["to_user"].queryset = (
            selectors.assignable_users_for(viewer=request.user) if request is not None
            else User.objects.none())


class PoolAccountFilter(CrmFilterSet):
    pool = django_filters.NumberFilter(field_name="pool_membership__pool_id")
    held = django_filters.BooleanFilter(field_name="owner", lookup_expr="isnull", exclude=True)
    region = django_filters.CharFilter(field_name="region", lookup_expr="iexact")

    class Meta:
        model = Account
        fields: list[str] = []


def _bad(error: DjangoValidationError) -> Response:
    body = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class PoolAccountViewSet(VisibilityEnforcedMixin, ExportListMixin,
                         mixins.RetrieveModelMixin, GenericViewSet):
    """Accounts of the pools the caller may see; by default those sitting in the pool
    (``?held=true`` lists the ones reps hold)."""

    serializer_class = PoolAccountSerializer
    filterset_class = PoolAccountFilter
    search_fields = ["name"]
    ordering_fields = ["name", "last_activity_at", "id"]
    ordering = ["-id"]

    def visible_queryset(self) -> QuerySet[Account]:
        queryset = selectors.pool_account_list(viewer=self.request.user)
        if self.action == "list" and "held" not in self.request.query_params:
            queryset = queryset.filter(owner__isnull=True)
        return queryset

    def _account(self) -> Account:
        return selectors.pool_account_get_for(viewer=self.request.user,
                                              account_id=self.kwargs["pk"])

    def _answer(self, account: Account) -> Response:
        """The account after the action (the caller may no longer see it: an assign to a rep
        outside the manager's teams), with the reason of its latest change of hands."""
        account.refresh_from_db()
        latest = OwnershipChange.objects.filter(account=account).order_by("-at", "-id").first()
        account.last_reason = latest.reason if latest else ""
        return Response(PoolAccountSerializer(account).data)

    @extend_schema(request=None, responses={200: PoolAccountSerializer})
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str) -> Response:
        account = self._account()
        try:
            services.pool_claim(account=account, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        return self._answer(account)

    @extend_schema(request=ReturnSerializer, responses={200: PoolAccountSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str) -> Response:
        account = self._account()
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.pool_return(account=account, actor=request.user,
                                 reason=data.validated_data["reason"])
        except DjangoValidationError as error:
            return _bad(error)
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        return self._answer(account)

    @extend_schema(request=AssignSerializer, responses={200: PoolAccountSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        if not can(request.user, Capability.ASSIGN_RECORDS):
            raise PermissionDenied
        account = self._account()
        data = AssignSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            services.pool_assign(account=account, to_user=data.validated_data["to_user"],
                                 actor=request.user, reason=data.validated_data["reason"])
        except DjangoValidationError as error:
            return _bad(error)
        return self._answer(account)

    @extend_schema(responses={200: OwnershipChangeSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str) -> Response:
        account = self._account()
        changes = selectors.ownership_history(account=account, limit=None)
        return Response(OwnershipChangeSerializer(changes, many=True).data)


class PoolViewSet(VisibleReadOnlyViewSet):
    serializer_class = PoolSerializer
    ordering = ["-id"]
    search_fields = ["name", "region"]

    def visible_queryset(self) -> QuerySet[Pool]:
        return selectors.pool_list(viewer=self.request.user).order_by("-id")


def register_api_routes(router: DefaultRouter) -> None:
    router.register("pool", PoolAccountViewSet, basename="pool-account")
    router.register("pools", PoolViewSet, basename="pool")
