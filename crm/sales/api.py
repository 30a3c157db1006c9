"""/api/v1/opportunities/ and /api/v1/pipelines/: thin adapters over services and selectors."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.viewsets import GenericViewSet

from crm.accounts.models import Account, Contact
from crm.accounts.selectors import account_visible_queryset, contact_visible_queryset
from crm.core.api.export import ExportListMixin
from crm.core.api.viewsets import VisibilityEnforcedMixin, VisibleReadOnlyViewSet
from crm.sales import selectors, services
from crm.sales.filters import OpportunityFilter
from crm.sales.models import KeyAction, Opportunity, Pipeline, Stage
from tenants.users.models import User
from tenants.users.permissions import Capability, can

# --- serializers -------------------------------------------------------------------------


class KeyActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyAction
        fields = ["id", "label", "order", "required"]


class StageSerializer(serializers.ModelSerializer):
    key_actions = KeyActionSerializer(many=True, read_only=True)

    class Meta:
        model = Stage
        fields = ["id", "name", "order", "probability", "is_won", "is_lost", "key_actions"]


class PipelineSerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = ["id", "name", "is_default", "active", "stages"]


class StageBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "name", "order", "probability", "is_won", "is_lost"]


class OpportunitySerializer(serializers.ModelSerializer):
    """Read shape of an opportunity (writes go through the input serializers below)."""

    account_name = serializers.CharField(source="account.name", read_only=True)
    stage = StageBriefSerializer(read_only=True)
    owner_email = serializers.EmailField(source="owner.email", read_only=True, default=None)
    weighted_amount = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "id", "account", "account_name", "name", "amount", "currency", "close_date",
            "pipeline", "stage", "probability", "probability_overridden", "weighted_amount",
            "owner", "owner_email", "competitors", "next_step", "lost_reason", "is_open",
            "closed_at", "created_at", "updated_at",
        ]
        read_only_fields = fields


def _visible_accounts(viewer: User) -> QuerySet[Account]:
    # Opportunities may be opened on accounts the viewer can see (crm.accounts' accessor).
    return account_visible_queryset(viewer=viewer)


def _visible_contacts(viewer: User) -> QuerySet[Contact]:
    return contact_visible_queryset(viewer=viewer)


@extend_schema_field(OpenApiTypes.INT)
class ViewerScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related id resolved through a queryset built from the requesting user."""

    def __init__(self, *, queryset_for: Any, **kwargs: Any) -> None:
        self.queryset_for = queryset_for
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return self.queryset_for(user)


class OpportunityCreateSerializer(serializers.Serializer):
    account = ViewerScopedPrimaryKeyField(queryset_for=_visible_accounts)
    name = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    close_date = serializers.DateField()
    pipeline = serializers.PrimaryKeyRelatedField(
        queryset=Pipeline.objects.filter(active=True), required=False, allow_null=True
    )
    stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(), required=False, allow_null=True
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True,
        help_text=_("Defaults to the requesting user."),
    )
    contact = ViewerScopedPrimaryKeyField(queryset_for=_visible_contacts, required=False,
                                          allow_null=True)
    next_step = serializers.CharField(max_length=300, required=False, allow_blank=True)
    competitors = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False
    )


class OpportunityUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0,
                                      required=False)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    close_date = serializers.DateField(required=False)
    probability = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True,
        help_text=_("Overrides the stage's probability; null follows the stage again."),
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    next_step = serializers.CharField(max_length=300, required=False, allow_blank=True)
    competitors = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False
    )
    lost_reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class MoveSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    override_reason = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                            default="")
    lost_reason = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                        default="")


class KeyActionToggleSerializer(serializers.Serializer):
    key_action = serializers.IntegerField()
    done = serializers.BooleanField(default=True)


MoveRefusedSerializer = inline_serializer(
    "MoveRefused",
    {
        "stage": serializers.ListField(child=serializers.CharField()),
        "code": serializers.CharField(),
        "missing_key_actions": inline_serializer(
            "MissingKeyAction",
            {"id": serializers.IntegerField(), "label": serializers.CharField(),
             "stage": serializers.CharField()},
            many=True,
        ),
        "can_override": serializers.BooleanField(),
    },
)
ErrorSerializer = inline_serializer(
    "SalesValidationError", {"detail": serializers.CharField(required=False)}
)


# --- filters -------------------------------------------------------------------------------


# --- viewsets ------------------------------------------------------------------------------


def _validation_error_response(error: DjangoValidationError) -> Response:
    detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
    return Response(detail, status=status.HTTP_400_BAD_REQUEST)


class OpportunityViewSet(
    VisibilityEnforcedMixin,
    ExportListMixin,
    mixins.RetrieveModelMixin,
    GenericViewSet,
):
    """Opportunities the caller may see; create, update, move between stages, tick key
    actions. Service agents see none."""

    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilter
    search_fields = ["name", "account__name"]
    ordering_fields = ["name", "amount", "close_date", "updated_at", "created_at", "id"]
    ordering = ["-id"]

    def visible_queryset(self) -> QuerySet[Opportunity]:
        return selectors.opportunity_list(viewer=self.request.user)

    def _get_visible(self) -> Opportunity:
        return selectors.opportunity_get_for(
            viewer=self.request.user, opportunity_id=self.kwargs["pk"]
        )

    def _check_sales_writer(self) -> None:
        if not can(self.request.user, Capability.MANAGE_SALES):
            raise DjangoPermissionDenied

    @extend_schema(request=OpportunityCreateSerializer,
                   responses={201: OpportunitySerializer, 400: ErrorSerializer})
    def create(self, request: Request) -> Response:
        self._check_sales_writer()
        data = OpportunityCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.setdefault("owner", request.user)
        try:
            opportunity = services.opportunity_create(
                account=values["account"], name=values["name"], amount=values["amount"],
                currency=values.get("currency") or None, close_date=values["close_date"],
                pipeline=values.get("pipeline"), stage=values.get("stage"),
                owner=values["owner"], actor=request.user, contact=values.get("contact"),
                next_step=values.get("next_step", ""), competitors=values.get("competitors"),
            )
        except DjangoValidationError as error:
            return _validation_error_response(error)
        opportunity = selectors.opportunity_get_for(viewer=request.user,
                                                    opportunity_id=opportunity.pk)
        return Response(OpportunitySerializer(opportunity).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OpportunityUpdateSerializer,
                   responses={200: OpportunitySerializer, 400: ErrorSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        self._check_sales_writer()
        opportunity = self._get_visible()
        data = OpportunityUpdateSerializer(data=request.data, partial=True,
                                           context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            services.opportunity_update(opportunity=opportunity, actor=request.user,
                                        **data.validated_data)
        except DjangoValidationError as error:
            return _validation_error_response(error)
        opportunity = selectors.opportunity_get_for(viewer=request.user, opportunity_id=pk)
        return Response(OpportunitySerializer(opportunity).data)

    @extend_schema(
        request=MoveSerializer,
        responses={
            200: OpportunitySerializer,
            400: OpenApiResponse(MoveRefusedSerializer,
                                 description="Key actions incomplete or bad stage"),
            403: OpenApiResponse(description="Override without OVERRIDE_KEY_ACTIONS"),
        },
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        """Move to another stage of the same pipeline; refused (400) while required key
        actions are open unless a manager gives ``override_reason``."""
        self._check_sales_writer()
        opportunity = self._get_visible()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        stage = Stage.objects.filter(pk=data.validated_data["stage"],
                                     pipeline_id=opportunity.pipeline_id).first()
        if stage is None:
            return Response({"stage": [_("Choose a stage of this deal's pipeline.")]},
                            status=status.HTTP_400_BAD_REQUEST)
        try:
            services.opportunity_move_stage(
                opportunity=opportunity, stage=stage, actor=request.user,
                override_reason=data.validated_data["override_reason"],
                lost_reason=data.validated_data["lost_reason"],
            )
        except services.KeyActionsIncompleteError as error:
            return Response(
                {
                    "stage": error.message_dict["stage"],
                    "code": "key_actions_incomplete",
                    "missing_key_actions": [
                        {"id": item.pk, "label": item.label, "stage": item.stage.name}
                        for item in error.missing
                    ],
                    "can_override": can(request.user, Capability.OVERRIDE_KEY_ACTIONS),
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        except DjangoValidationError as error:
            return _validation_error_response(error)
        opportunity = selectors.opportunity_get_for(viewer=request.user, opportunity_id=pk)
        return Response(OpportunitySerializer(opportunity).data)

    @extend_schema(
        request=KeyActionToggleSerializer,
        responses={200: inline_serializer("KeyActionState", {
            "key_action": serializers.IntegerField(), "done": serializers.BooleanField(),
        }), 400: ErrorSerializer},
    )
    @action(detail=True, methods=["post"], url_path="key-actions")
    def key_actions(self, request: Request, pk: str) -> Response:
        """Tick or untick one key action of the deal's pipeline."""
        self._check_sales_writer()
        opportunity = self._get_visible()
        data = KeyActionToggleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key_action = KeyAction.objects.filter(
            pk=data.validated_data["key_action"], stage__pipeline_id=opportunity.pipeline_id
        ).select_related("stage").first()
        if key_action is None:
            return Response({"key_action": [_("Choose a key action of this deal's pipeline.")]},
                            status=status.HTTP_400_BAD_REQUEST)
        state = services.key_action_complete(
            opportunity=opportunity, key_action=key_action, actor=request.user,
            done=data.validated_data["done"],
        )
        return Response({"key_action": key_action.pk, "done": state.done})


class PipelineViewSet(VisibleReadOnlyViewSet):
    """Pipelines with their stages and key actions, in order."""

    serializer_class = PipelineSerializer
    pagination_class = None
    filter_backends: list = []

    def visible_queryset(self) -> QuerySet[Pipeline]:
        return selectors.pipeline_list(viewer=self.request.user, include_inactive=True)


def register_api_routes(router: DefaultRouter) -> None:
    router.register("opportunities", OpportunityViewSet, basename="opportunity")
    router.register("pipelines", PipelineViewSet, basename="pipeline")
