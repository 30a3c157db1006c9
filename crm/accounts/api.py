"""/api/v1/accounts/, /api/v1/contacts/ and /api/v1/duplicates/check/.

Adapters only: serializers parse and render, services decide, selectors scope. Fixed names
for integrators: an account is created with ``{"name": ...}``; ``PUT
/accounts/external/{external_id}/`` (and ``/contacts/external/...``) upserts by external id;
``GET /duplicates/check/?name=`` answers a list of ``{"id", "name", "score", ...}``.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from crm.accounts import selectors, services
from crm.accounts.filters import AccountFilter, ContactFilter
from crm.accounts.models import (
    Account,
    AccountTeamRole,
    Attitude,
    BuyingRole,
    Contact,
)
from crm.core.api.upsert import ExternalIdUpsertMixin
from crm.core.api.viewsets import VisibleModelViewSet
from tenants.users.models import User, UserKind


def _viewer(serializer: serializers.Serializer) -> User:
    return serializer.context["request"].user


class VisibleAccountField(serializers.PrimaryKeyRelatedField):
    """An account id the requesting user may see (others answer "does not exist")."""

    def get_queryset(self) -> QuerySet[Account]:
        return selectors.account_visible_queryset(viewer=self.context["request"].user)


class VisibleContactField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[Contact]:
        return selectors.contact_visible_queryset(viewer=self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class StaffUserField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[User]:
        return User.objects.filter(kind=UserKind.STAFF, is_active=True)


class AccountSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=200)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    owner = StaffUserField(required=False, allow_null=True)
    owner_name = serializers.SerializerMethodField()
    parent = VisibleAccountField(required=False, allow_null=True)
    parent_name = serializers.SerializerMethodField()
    external_id = serializers.CharField(max_length=100, required=False, allow_null=True,
                                        allow_blank=True)

    class Meta:
        model = Account
        fields = (
            "id", "name", "type", "industry", "region", "tier", "tags", "address", "city",
            "country", "phone", "website", "owner", "owner_name", "parent", "parent_name",
            "external_id", "value_score", "last_activity_at", "created_at", "updated_at",
        )
        read_only_fields = ("last_activity_at", "created_at", "updated_at")

    def get_owner_name(self, account: Account) -> str:
        return account.owner.display_name if account.owner_id and account.owner else ""

    def get_parent_name(self, account: Account) -> str:
        return account.parent.name if account.parent_id and account.parent else ""

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("Enter the company name."))
        return value.strip()

    def create(self, validated_data: dict[str, Any]) -> Account:
        return services.account_create(actor=_viewer(self), **validated_data)

    def update(self, instance: Account, validated_data: dict[str, Any]) -> Account:
        return services.account_update(account=instance, actor=_viewer(self), **validated_data)


class MergeRequestSerializer(serializers.Serializer):
    others = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1,
                                   max_length=20)
    field_choices = serializers.DictField(child=serializers.IntegerField(min_value=1),
                                          required=False, default=dict)


class TeamMemberSerializer(serializers.Serializer):
    user = StaffUserField()
    role = serializers.ChoiceField(choices=AccountTeamRole.choices,
                                   default=AccountTeamRole.SUPPORT)


class TeamRemoveSerializer(serializers.Serializer):
    user = StaffUserField()


class AuditEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    actor = serializers.SerializerMethodField()
    changes = serializers.JSONField()
    data = serializers.JSONField()
    created_at = serializers.DateTimeField()

    def get_actor(self, entry: Any) -> str:
        return entry.actor.display_name if entry.actor else ""


TreeNodeSchema = inline_serializer("AccountTreeNode", {
    "id": serializers.IntegerField(), "name": serializers.CharField(),
    "visible": serializers.BooleanField(), "type": serializers.CharField(),
    "owner": serializers.CharField(), "is_current": serializers.BooleanField(),
    "children": serializers.ListField(child=serializers.DictField()),
})


class AccountViewSet(ExternalIdUpsertMixin, VisibleModelViewSet):
    """Accounts the caller may see. DELETE is not offered: duplicates are merged.
    ``PUT /accounts/external/{external_id}/`` upserts (crm.core.api.upsert)."""

    upsert_model = Account

    serializer_class = AccountSerializer
    filterset_class = AccountFilter
    search_fields = ("name", "city", "external_id", "phone_normalized")
    ordering_fields = ("name", "updated_at", "created_at", "value_score", "last_activity_at",
                       "id")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def visible_queryset(self) -> QuerySet[Account]:
        return selectors.account_list(viewer=self.request.user)

    def upsert_visible_instance(self, existing: models.Model) -> Account:
        # Somebody else's account answers 404, like any record one may not see.
        return selectors.account_get_for(viewer=self.request.user, account_id=existing.pk)

    @extend_schema(responses={200: TreeNodeSchema})
    @action(detail=True, methods=["get"])
    def tree(self, request: Request, pk: str) -> Response:
        """The whole hierarchy of this account, from its root (others' accounts: name only)."""
        account = self.get_object()
        return Response(selectors.account_tree(viewer=request.user, account=account).as_dict())

    @extend_schema(responses={200: AuditEntrySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str) -> Response:
        """Field history and events, newest first (the latest 200)."""
        account = self.get_object()
        entries = selectors.account_history(account=account)[:200]
        return Response(AuditEntrySerializer(entries, many=True).data)

    @extend_schema(request=MergeRequestSerializer, responses={200: AccountSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        """Merge the ``others`` into this account; ``field_choices`` maps a field to the id of
        the account whose value survives."""
        survivor = self.get_object()
        payload = MergeRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        others = [selectors.account_get_for(viewer=request.user, account_id=other_id)
                  for other_id in payload.validated_data["others"]]
        merged = services.account_merge(
            survivor=survivor, others=others,
            field_choices=payload.validated_data["field_choices"], actor=request.user,
        )
        return Response(self.get_serializer(selectors.account_get_for(
            viewer=request.user, account_id=merged.pk)).data)

    @extend_schema(request=TeamMemberSerializer, responses={200: TeamMemberSerializer(many=True)})
    @action(detail=True, methods=["get", "post"])
    def team(self, request: Request, pk: str) -> Response:
        """The account team; POST {"user", "role"} adds a member or changes their role."""
        account = self.get_object()
        if request.method == "POST":
            payload = TeamMemberSerializer(data=request.data, context={"request": request})
            payload.is_valid(raise_exception=True)
            services.account_team_add(account=account, actor=request.user,
                                      **payload.validated_data)
        members = selectors.account_team(account=account)
        return Response([{"user": m.user_id, "name": m.user.display_name, "role": m.role}
                         for m in members])

    @extend_schema(request=TeamRemoveSerializer, responses={204: None})
    @action(detail=True, methods=["post"], url_path="team/remove")
    def team_remove(self, request: Request, pk: str) -> Response:
        """Take {"user"} off the account team (the owner stays)."""
        account = self.get_object()
        payload = TeamRemoveSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        services.account_team_remove(account=account, user=payload.validated_data["user"],
                                     actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ContactSerializer(serializers.ModelSerializer):
    account = VisibleAccountField()
    account_name = serializers.SerializerMethodField()
    reports_to = VisibleContactField(required=False, allow_null=True)
    covered_by = StaffUserField(required=False, allow_null=True)
    buying_role = serializers.ChoiceField(choices=BuyingRole.choices, required=False)
    attitude = serializers.ChoiceField(choices=Attitude.choices, required=False)
    influence = serializers.IntegerField(min_value=1, max_value=5, required=False)
    external_id = serializers.CharField(max_length=100, required=False, allow_null=True,
                                        allow_blank=True)

    class Meta:
        model = Contact
        fields = (
            "id", "account", "account_name", "first_name", "last_name", "title", "department",
            "phone", "mobile", "email", "buying_role", "influence", "attitude", "reports_to",
            "covered_by", "external_id", "created_at", "updated_at",
        )
        read_only_fields = ("created_at", "updated_at")

    def get_account_name(self, contact: Contact) -> str:
        return contact.account.name

    def create(self, validated_data: dict[str, Any]) -> Contact:
        account = validated_data.pop("account")
        return services.contact_create(actor=_viewer(self), account=account, **validated_data)

    def update(self, instance: Contact, validated_data: dict[str, Any]) -> Contact:
        return services.contact_update(contact=instance, actor=_viewer(self), **validated_data)


class ContactViewSet(ExternalIdUpsertMixin, VisibleModelViewSet):
    """Contacts of the accounts the caller may see. ``PUT /contacts/external/{external_id}/``
    upserts (a new contact needs ``account`` and ``last_name``)."""

    upsert_model = Contact

    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    search_fields = ("last_name", "first_name", "email", "account__name")
    ordering_fields = ("last_name", "updated_at", "created_at", "influence", "id")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def visible_queryset(self) -> QuerySet[Contact]:
        return selectors.contact_list(viewer=self.request.user)

    def upsert_visible_instance(self, existing: models.Model) -> Contact:
        return selectors.contact_get_for(viewer=self.request.user, contact_id=existing.pk)


class DuplicateCheckQuery(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    website = serializers.CharField(required=False, allow_blank=True, max_length=200)
    exclude = serializers.IntegerField(required=False, min_value=1)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=10)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not any((attrs.get(key) or "").strip()
                   for key in ("name", "phone", "email", "website")):
            raise serializers.ValidationError(
                {"name": _("Give a name, phone, e-mail or website to check.")}
            )
        return attrs


DuplicateCandidateSchema = inline_serializer("DuplicateCandidate", many=True, fields={
    "id": serializers.IntegerField(), "name": serializers.CharField(),
    "score": serializers.FloatField(), "owner": serializers.CharField(),
    "reasons": serializers.ListField(child=serializers.CharField()),
    "visible": serializers.BooleanField(),
})


class DuplicateViewSet(viewsets.ViewSet):
    """/duplicates/check/: likely duplicates of a company. Every account of the tenant is
    checked, but only id, name, owner's name and score are told about accounts the caller
    may not see."""

    @extend_schema(
        parameters=[
            OpenApiParameter("name", OpenApiTypes.STR, description=_("Company name")),
            OpenApiParameter("phone", OpenApiTypes.STR),
            OpenApiParameter("email", OpenApiTypes.STR),
            OpenApiParameter("website", OpenApiTypes.STR),
            OpenApiParameter("exclude", OpenApiTypes.INT,
                             description=_("Account id to leave out (the one being edited)")),
            OpenApiParameter("limit", OpenApiTypes.INT),
        ],
        responses={200: DuplicateCandidateSchema},
    )
    @action(detail=False, methods=["get"])
    def check(self, request: Request) -> Response:
        query = DuplicateCheckQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        candidates = selectors.duplicate_candidates(
            viewer=request.user, name=data.get("name", ""), phone=data.get("phone", ""),
            email=data.get("email", ""), website=data.get("website", ""),
            exclude_id=data.get("exclude"), limit=data["limit"],
        )
        return Response([candidate.as_dict() for candidate in candidates])


def register_api_routes(router: DefaultRouter) -> None:
    router.register("accounts", AccountViewSet, basename="account")
    router.register("contacts", ContactViewSet, basename="contact")
    router.register("duplicates", DuplicateViewSet, basename="duplicates")
