"""/api/v1/leads/ (with POST /leads/{id}/convert/) and /api/v1/campaigns/.

Adapters only: serializers parse and render, services decide, selectors scope. The request
and response names of create and convert are fixed for integrators (see the issue)."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from crm.core.api.viewsets import VisibleModelViewSet
from crm.leads import selectors, services
from crm.leads.filters import LeadFilter
from crm.leads.models import (
    EDITABLE_STATUSES,
    Campaign,
    CampaignType,
    Lead,
    LeadSource,
    LeadStatus,
)
from tenants.users.models import User
from tenants.users.permissions import Capability


class LeadSerializer(serializers.ModelSerializer):
    source = serializers.ChoiceField(choices=LeadSource.choices, default=LeadSource.MANUAL)
    status = serializers.ChoiceField(
        choices=[(value, label) for value, label in LeadStatus.choices
                 if value in EDITABLE_STATUSES],
        required=False,
    )
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), required=False, allow_null=True
    )
    owner = serializers.PrimaryKeyRelatedField(read_only=True)
    owner_name = serializers.SerializerMethodField()

    class Meta:
        model = Lead
        fields = (
            "id", "company", "first_name", "last_name", "title", "email", "phone", "message",
            "region", "source", "status", "disqualified_reason", "score", "owner", "owner_name",
            "campaign", "converted_account", "converted_contact", "converted_opportunity",
            "converted_at", "last_activity_at", "created_at", "updated_at",
        )
        read_only_fields = (
            "disqualified_reason", "score", "converted_account", "converted_contact",
            "converted_opportunity", "converted_at", "last_activity_at", "created_at",
            "updated_at",
        )

    def get_owner_name(self, lead: Lead) -> str:
        return lead.owner.display_name if lead.owner_id and lead.owner else ""

    def create(self, validated_data: dict[str, Any]) -> Lead:
        return services.lead_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance: Lead, validated_data: dict[str, Any]) -> Lead:
        return services.lead_update(lead=instance, actor=self.context["request"].user,
                                    **validated_data)


class LeadConvertSerializer(serializers.Serializer):
    create_opportunity = serializers.BooleanField(default=True)
    account = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    pipeline = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    confirm_new_account = serializers.BooleanField(
        default=False,
        help_text=_("Create a new account even though a close duplicate exists."),
    )


class ConversionResultSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    contact = serializers.IntegerField(allow_null=True)
    opportunity = serializers.IntegerField(allow_null=True)


class LeadDisqualifySerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class LeadAssignSerializer(serializers.Serializer):
    owner = serializers.IntegerField(allow_null=True, min_value=1)


class LeadViewSet(VisibleModelViewSet):
    """Leads the caller may see (sales roles); service agents see none."""

    serializer_class = LeadSerializer
    write_capability = Capability.MANAGE_SALES
    filterset_class = LeadFilter
    search_fields = ("company", "first_name", "last_name", "email", "phone")
    ordering_fields = ("created_at", "updated_at", "score", "company", "id")
    ordering = ("-created_at",)
    http_method_names = ("get", "post", "put", "patch", "head", "options")

    def visible_queryset(self) -> QuerySet[Lead]:
        return selectors.leads_visible_to(self.request.user).select_related("owner")

    def get_object(self) -> Lead:
        return selectors.lead_get_for(viewer=self.request.user,
                                      lead_id=self.kwargs[self.lookup_field])

    @extend_schema(request=LeadConvertSerializer, responses={200: ConversionResultSerializer})
    @action(detail=True, methods=["post"])
    def convert(self, request: Request, pk: str | None = None) -> Response:
        from crm.accounts.selectors import account_get_for
        from crm.sales.models import Pipeline

        lead = self.get_object()
        params = LeadConvertSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        account = None
        if data.get("account"):
            try:
                account = account_get_for(viewer=request.user, account_id=data["account"])
            except Http404:
                raise DRFValidationError(
                    {"account": [_("No account with this id.")]}
                ) from None
        pipeline = None
        if data.get("pipeline"):
            pipeline = Pipeline.objects.filter(pk=data["pipeline"], active=True).first()
            if pipeline is None:
                raise DRFValidationError({"pipeline": [_("No active pipeline with this id.")]})
        try:
            conversion = services.lead_convert(
                lead=lead, actor=request.user, account=account,
                create_opportunity=data["create_opportunity"], pipeline=pipeline,
                confirm_new_account=data["confirm_new_account"],
            )
        except services.DuplicateAccountError as exc:
            return Response(
                {"account": exc.messages, "code": "duplicate_account",
                 "candidates": [{"id": c.id, "name": c.name, "score": c.score}
                                for c in exc.candidates]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            {
                "account": conversion.account.pk,
                "contact": conversion.contact.pk if conversion.contact else None,
                "opportunity": conversion.opportunity.pk if conversion.opportunity else None,
            }
        )

    @extend_schema(request=LeadDisqualifySerializer, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"])
    def disqualify(self, request: Request, pk: str | None = None) -> Response:
        lead = self.get_object()
        params = LeadDisqualifySerializer(data=request.data)
        params.is_valid(raise_exception=True)
        lead = services.lead_disqualify(lead=lead, actor=request.user,
                                        reason=params.validated_data["reason"])
        return Response(LeadSerializer(lead, context=self.get_serializer_context()).data)

    @extend_schema(request=LeadAssignSerializer, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        lead = self.get_object()
        params = LeadAssignSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        owner = None
        owner_id = params.validated_data["owner"]
        if owner_id is not None:
            owner = User.objects.filter(pk=owner_id).first()
            if owner is None or not services.can_own_leads(owner):
                raise DRFValidationError({"owner": [_("This user cannot own leads.")]})
        lead = services.lead_assign(lead=lead, actor=request.user, owner=owner)
        return Response(LeadSerializer(lead, context=self.get_serializer_context()).data)


class CampaignSerializer(serializers.ModelSerializer):
    type = serializers.ChoiceField(choices=CampaignType.choices, default=CampaignType.OTHER)
    owner = serializers.PrimaryKeyRelatedField(read_only=True)
    lead_count = serializers.IntegerField(read_only=True)
    converted_count = serializers.IntegerField(read_only=True)
    won_revenue = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    roi = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = (
            "id", "name", "type", "start_date", "end_date", "budget", "actual_cost",
            "description", "owner", "lead_count", "converted_count", "won_revenue", "roi",
            "created_at", "updated_at",
        )
        read_only_fields = ("created_at", "updated_at")

    def get_roi(self, campaign: Campaign) -> str | None:
        if not hasattr(campaign, "lead_count"):
            return None
        roi = selectors.campaign_results(campaign).roi
        return None if roi is None else str(roi)

    def create(self, validated_data: dict[str, Any]) -> Campaign:
        return services.campaign_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance: Campaign, validated_data: dict[str, Any]) -> Campaign:
        return services.campaign_update(campaign=instance, actor=self.context["request"].user,
                                        **validated_data)

    def to_representation(self, instance: Campaign) -> dict[str, Any]:
        if not hasattr(instance, "lead_count"):
            instance = selectors.with_campaign_stats(Campaign.objects.filter(pk=instance.pk)).get()
        return super().to_representation(instance)


class CampaignViewSet(VisibleModelViewSet):
    """Campaigns with their results (leads, converted, won revenue, ROI)."""

    serializer_class = CampaignSerializer
    write_capability = Capability.MANAGE_SALES
    filterset_fields = ("type",)
    search_fields = ("name",)
    ordering_fields = ("start_date", "name", "actual_cost", "id")
    ordering = ("-id",)
    http_method_names = ("get", "post", "put", "patch", "head", "options")

    def visible_queryset(self) -> QuerySet[Campaign]:
        return selectors.with_campaign_stats(selectors.campaigns_visible_to(self.request.user))

    def get_object(self) -> Campaign:
        return selectors.campaign_get_for(viewer=self.request.user,
                                          campaign_id=self.kwargs[self.lookup_field])


def register_api_routes(router: DefaultRouter) -> None:
    router.register("leads", LeadViewSet, basename="lead")
    router.register("campaigns", CampaignViewSet, basename="campaign")
