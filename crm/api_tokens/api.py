"""/api/v1/auth/tokens/: the caller's own API tokens. GET lists them, POST creates a named
one (the secret is in that one answer only), DELETE /{id}/ revokes one. Another user's id
answers 404, like a missing one."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.viewsets import GenericViewSet

from crm.api_tokens.models import ApiToken, TokenScope
from crm.api_tokens.selectors import api_token_get_for, api_token_list_for
from crm.api_tokens.services import api_token_create, api_token_revoke
from crm.core.api.viewsets import VisibilityEnforcedMixin
from tenants.users.permissions import Capability


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "scope", "created_at", "last_used_at"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scope = serializers.ChoiceField(choices=TokenScope.choices, default=TokenScope.READ_WRITE)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The secret; shown only once.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class ApiTokenViewSet(VisibilityEnforcedMixin, mixins.ListModelMixin,
                      mixins.DestroyModelMixin, GenericViewSet):
    serializer_class = ApiTokenSerializer
    pagination_class = None  # a handful per user
    # Every staff user manages their own tokens, read-only role included.
    write_capability = Capability.USE_CRM

    def visible_queryset(self) -> QuerySet[ApiToken]:
        return api_token_list_for(viewer=self.request.user)

    def get_object(self) -> ApiToken:
        return api_token_get_for(viewer=self.request.user, token_id=self.kwargs["pk"])

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request: Request) -> Response:
        incoming = ApiTokenCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            issued = api_token_create(user=request.user, actor=request.user,
                                      **incoming.validated_data)
        except DjangoValidationError as error:
            raise ValidationError(getattr(error, "message_dict", None)
                                  or {"detail": error.messages}) from None
        body = {**ApiTokenSerializer(issued.token).data, "token": issued.secret}
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        api_token_revoke(token=instance, actor=self.request.user)


def register_api_routes(router: DefaultRouter) -> None:
    router.register("auth/tokens", ApiTokenViewSet, basename="api-token")
