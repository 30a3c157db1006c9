"""/api/v1/users/ (administrators): list, invite (POST), change role (PATCH), and the
deactivate / reactivate actions. Fixed field names for integrators:
``{"id", "email", "first_name", "last_name", "role", "status", "teams", "last_login"}``.
Thin adapters over crm.staff services and selectors: rule violations (the seat limit, the
last administrator) answer 400 JSON, another tenant's or a missing id 404."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.viewsets import GenericViewSet

from crm.core.api.export import ExportListMixin
from crm.core.api.viewsets import VisibilityEnforcedMixin
from crm.staff import selectors
from crm.staff.services import invitations, users
from tenants.users.models import Role, User
from tenants.users.permissions import Capability, can


class IsUsersAdmin(BasePermission):
    """The users API is for administrators only (managers read their teams on the page)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return can(request.user, Capability.USE_CRM) and can(request.user,
                                                             Capability.MANAGE_SETTINGS)


class StaffUserSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=selectors.UserStatus.choices, read_only=True)
    teams = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role", "status", "teams",
                  "last_login"]
        read_only_fields = fields

    def get_teams(self, user: User) -> list[int]:
        return [team.pk for team in user.teams.all()]  # prefetched by the selector


class InviteSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True,
                                       default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True,
                                      default="")
    role = serializers.ChoiceField(choices=Role.choices)


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


def _bad(error: DjangoValidationError) -> Response:
    body = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class StaffUserViewSet(VisibilityEnforcedMixin, ExportListMixin, mixins.RetrieveModelMixin,
                       GenericViewSet):
    serializer_class = StaffUserSerializer
    permission_classes = (IsUsersAdmin,)
    filterset_class = selectors.StaffUserFilter
    search_fields = ["email", "first_name", "last_name"]
    ordering_fields = ["id", "email", "last_login"]
    ordering = ["-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def visible_queryset(self) -> QuerySet[User]:
        return selectors.staff_user_visible_queryset(viewer=self.request.user).order_by("-id")

    def _user(self) -> User:
        return selectors.staff_user_get_for(viewer=self.request.user, user_id=self.kwargs["pk"])

    def _answer(self, user: User, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.staff_user_get_for(viewer=self.request.user, user_id=user.pk)
        return Response(StaffUserSerializer(fresh).data, status=code)

    @extend_schema(request=InviteSerializer, responses={201: StaffUserSerializer})
    def create(self, request: Request) -> Response:
        data = InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            invitation = invitations.invitation_create(actor=request.user, **data.validated_data)
        except DjangoValidationError as error:
            return _bad(error)
        return self._answer(invitation.user, status.HTTP_201_CREATED)

    @extend_schema(request=RoleSerializer, responses={200: StaffUserSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        user = self._user()
        data = RoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            users.user_role_change(user=user, role=data.validated_data["role"],
                                   actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return self._answer(user)

    @extend_schema(request=None, responses={200: StaffUserSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str) -> Response:
        user = self._user()
        try:
            users.user_deactivate(user=user, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return self._answer(user)

    @extend_schema(request=None, responses={200: StaffUserSerializer})
    @action(detail=True, methods=["post"])
    def reactivate(self, request: Request, pk: str) -> Response:
        user = self._user()
        try:
            users.user_reactivate(user=user, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return self._answer(user)


def register_api_routes(router: DefaultRouter) -> None:
    router.register("users", StaffUserViewSet, basename="staff-user")
