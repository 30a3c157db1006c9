"""/api/v1/expenses/ (issue 9): expense requests with their approval trail.

Fields: ``id``, ``number``, ``owner``, ``status``, ``amount`` (string to the minor unit),
``currency``, ``category``, ``spent_on``, ``account``, ``opportunity``, ``description``,
``receipt`` (upload, multipart; answered as ``receipt_url``), ``approvals: [{"step",
"approver", "decision", "comment", "at"}]``. Actions: ``POST /expenses/{id}/submit/``,
``/approve/`` (``{"comment"?}``), ``/reject/`` (``{"comment"}``), ``/reimburse/``
(finance). Only draft and rejected requests change (PATCH/PUT); there is no DELETE."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from crm.accounts.api import VisibleAccountField
from crm.core.api.viewsets import VisibleModelViewSet
from crm.core.files import file_url
from crm.core.money import round_money
from crm.expenses import selectors, services
from crm.expenses.files import RECEIPT_KIND
from crm.expenses.filters import ExpenseFilter
from crm.expenses.models import Expense, ExpenseCategory
from crm.sales.models import Opportunity
from crm.sales.selectors import opportunity_visible
from tenants.users.permissions import Capability


@extend_schema_field({"type": "integer"})
class VisibleOpportunityField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[Opportunity]:
        return opportunity_visible(viewer=self.context["request"].user)


ApprovalEntry = inline_serializer("ExpenseApproval", {
    "round": serializers.IntegerField(), "step": serializers.CharField(),
    "approver": serializers.IntegerField(allow_null=True),
    "decision": serializers.CharField(), "comment": serializers.CharField(),
    "at": serializers.DateTimeField(allow_null=True),
}, many=True)


class ExpenseSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=4)
    currency = serializers.CharField(max_length=3, required=False)
    category = serializers.ChoiceField(choices=ExpenseCategory.choices)
    spent_on = serializers.DateField()
    account = VisibleAccountField(required=False, allow_null=True)
    opportunity = VisibleOpportunityField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    receipt = serializers.FileField(required=False, write_only=True)
    receipt_url = serializers.SerializerMethodField()
    approvals = serializers.SerializerMethodField()

    class Meta:
        model = Expense
        fields = ("id", "number", "owner", "status", "amount", "currency", "category",
                  "spent_on", "account", "opportunity", "description", "receipt",
                  "receipt_url", "approvals", "submitted_at", "decided_at", "reimbursed_at",
                  "created_at", "updated_at")
        read_only_fields = ("id", "number", "owner", "status", "submitted_at", "decided_at",
                            "reimbursed_at", "created_at", "updated_at")

    def get_receipt_url(self, expense: Expense) -> str | None:
        if not expense.receipt:
            return None
        return self.context["request"].build_absolute_uri(
            file_url(kind=RECEIPT_KIND, object_id=expense.pk))

    @extend_schema_field(ApprovalEntry)
    def get_approvals(self, expense: Expense) -> list[dict[str, Any]]:
        return [{"round": step.round, "step": step.step_label or str(step.step),
                 "approver": step.decided_by_id, "decision": step.decision,
                 "comment": step.comment, "at": step.decided_at}
                for step in selectors.expense_approvals(expense=expense)]

    def to_representation(self, instance: Expense) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["amount"] = str(round_money(instance.amount, instance.currency))
        return data

    def create(self, validated_data: dict[str, Any]) -> Expense:
        return services.expense_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance: Expense, validated_data: dict[str, Any]) -> Expense:
        return services.expense_update(expense=instance, actor=self.context["request"].user,
                                       **validated_data)


class ExpenseApproveSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ExpenseRejectSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)


class ExpenseViewSet(VisibleModelViewSet):
    """Expense requests the caller may see; the spender enters and submits them, the
    approvers named by the authority limits decide, finance reimburses."""

    serializer_class = ExpenseSerializer
    filterset_class = ExpenseFilter
    search_fields = ("number", "description")
    ordering_fields = ("spent_on", "amount", "created_at", "id")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    write_capability = Capability.EDIT_RECORDS  # /reimburse/ needs MANAGE_FINANCE

    def visible_queryset(self) -> QuerySet[Expense]:
        return selectors.expense_list(viewer=self.request.user)

    def _answer(self, expense: Expense) -> Response:
        fresh = selectors.expense_get_for(viewer=self.request.user, expense_id=expense.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(request=None, responses={200: ExpenseSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        expense = services.expense_submit(expense=self.get_object(), actor=request.user)
        return self._answer(expense)

    @extend_schema(request=ExpenseApproveSerializer, responses={200: ExpenseSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        target = self.get_object()  # a foreign id is a 404 before the body is read
        body = ExpenseApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        expense = services.expense_approve(expense=target, actor=request.user,
                                           comment=body.validated_data.get("comment", ""))
        return self._answer(expense)

    @extend_schema(request=ExpenseRejectSerializer, responses={200: ExpenseSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        target = self.get_object()  # a foreign id is a 404 before the body is read
        body = ExpenseRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        expense = services.expense_reject(expense=target, actor=request.user,
                                          comment=body.validated_data["comment"])
        return self._answer(expense)

    @extend_schema(request=None, responses={200: ExpenseSerializer})
    @action(detail=True, methods=["post"], write_capability=Capability.MANAGE_FINANCE)
    def reimburse(self, request: Request, pk: str | None = None) -> Response:
        expense = services.expense_reimburse(expense=self.get_object(), actor=request.user)
        return self._answer(expense)


def register_api_routes(router: DefaultRouter) -> None:
    router.register("expenses", ExpenseViewSet, basename="expense")
