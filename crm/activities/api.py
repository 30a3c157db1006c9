"""/api/v1/activities/: thin adapters over crm.activities services and selectors.

List with filters and cursor pagination, create (any kind, on any visible record), complete,
comments, likes and visit check-in. Bad input answers 400 with field errors; a record the
caller may not see answers 404.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.viewsets import GenericViewSet

from crm.activities import selectors, services
from crm.activities.filters import ActivityFilter
from crm.activities.models import Activity, ActivityComment, ActivityKind
from crm.activities.targets import TARGET_TYPES, target_get_for, target_key_of
from crm.core.api.export import ExportListMixin
from crm.core.api.viewsets import VisibilityEnforcedMixin


class ActivitySerializer(serializers.ModelSerializer):
    target_type = serializers.SerializerMethodField()
    owner_email = serializers.EmailField(source="owner.email", read_only=True, default=None)
    account_name = serializers.CharField(source="account.name", read_only=True, default=None)
    comment_count = serializers.IntegerField(read_only=True, default=0)
    like_count = serializers.IntegerField(read_only=True, default=0)
    liked_by_viewer = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Activity
        fields = [
            "id", "kind", "subject", "notes", "owner", "owner_email", "account",
            "account_name", "target_type", "target_id", "occurred_at", "due_at", "remind_at",
            "reminded_at", "done_at", "duration_minutes", "latitude", "longitude", "address",
            "checked_in_at", "comment_count", "like_count", "liked_by_viewer", "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_target_type(self, activity: Activity) -> str | None:
        if activity.target_type_id is None:
            return None
        model = activity.target_type.model_class()
        return target_key_of(model) if model is not None else None


class TargetInput(serializers.Serializer):
    target_type = serializers.ChoiceField(choices=list(TARGET_TYPES), required=False,
                                          allow_null=True)
    target_id = serializers.IntegerField(min_value=1, required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("target_type")) != bool(attrs.get("target_id")):
            raise serializers.ValidationError(
                {"target_id": ["Give both target_type and target_id, or neither."]})
        return attrs


class ActivityCreateSerializer(TargetInput):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    subject = serializers.CharField(max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    due_at = serializers.DateTimeField(required=False, allow_null=True)
    remind_at = serializers.DateTimeField(required=False, allow_null=True)
    duration_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                                max_value=24 * 60)
    done = serializers.BooleanField(required=False, allow_null=True, default=None)


class CheckInSerializer(TargetInput):
    # Range checks happen in the service so the API and the form say the same thing.
    latitude = serializers.CharField()
    longitude = serializers.CharField()
    address = serializers.CharField(required=False, allow_blank=True, default="")
    subject = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class CommentSerializer(serializers.ModelSerializer):
    author_email = serializers.EmailField(source="author.email", read_only=True, default=None)

    class Meta:
        model = ActivityComment
        fields = ["id", "author", "author_email", "body", "created_at"]
        read_only_fields = ["id", "author", "author_email", "created_at"]


def _bad(error: DjangoValidationError) -> Response:
    body = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class ActivityViewSet(VisibilityEnforcedMixin, ExportListMixin,
                      mixins.RetrieveModelMixin, GenericViewSet):
    """Activities the caller may see (crm.activities.selectors visibility)."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    search_fields = ["subject", "notes"]
    ordering_fields = ["occurred_at", "due_at", "created_at", "id"]
    ordering = ["-id"]

    def visible_queryset(self) -> QuerySet[Activity]:
        return selectors.activity_list(viewer=self.request.user).order_by("-id")

    def _visible(self) -> Activity:
        return selectors.activity_get_for(viewer=self.request.user, activity_id=self.kwargs["pk"])

    def _target(self, data: dict[str, Any]) -> Any:
        if data.get("target_type") and data.get("target_id"):
            return target_get_for(viewer=self.request.user, target_type=data["target_type"],
                                  target_id=data["target_id"])
        return None

    @extend_schema(request=ActivityCreateSerializer, responses={201: ActivitySerializer})
    def create(self, request: Request) -> Response:
        data = ActivityCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            activity = services.activity_create(
                actor=request.user, kind=values["kind"], subject=values["subject"],
                target=self._target(values), notes=values.get("notes", ""),
                occurred_at=values.get("occurred_at"), due_at=values.get("due_at"),
                remind_at=values.get("remind_at"), duration_minutes=values.get("duration_minutes"),
                done=values.get("done"),
            )
        except DjangoValidationError as error:
            return _bad(error)
        activity = selectors.activity_get_for(viewer=request.user, activity_id=activity.pk)
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ActivitySerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        activity = services.activity_complete(activity=self._visible(), actor=request.user)
        activity = selectors.activity_get_for(viewer=request.user, activity_id=activity.pk)
        return Response(ActivitySerializer(activity).data)

    @extend_schema(request=CheckInSerializer, responses={201: ActivitySerializer})
    @action(detail=False, methods=["post"], url_path="check-in")
    def check_in(self, request: Request) -> Response:
        data = CheckInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            activity = services.visit_check_in(
                actor=request.user, latitude=values["latitude"], longitude=values["longitude"],
                target=self._target(values), address=values["address"],
                subject=values["subject"], notes=values["notes"],
            )
        except DjangoValidationError as error:
            return _bad(error)
        activity = selectors.activity_get_for(viewer=request.user, activity_id=activity.pk)
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CommentSerializer, responses={200: CommentSerializer(many=True),
                                                         201: CommentSerializer})
    @action(detail=True, methods=["get", "post"])
    def comments(self, request: Request, pk: str) -> Response:
        activity = self._visible()
        if request.method == "GET":
            comments = selectors.activity_comments(activity=activity)
            return Response(CommentSerializer(comments, many=True).data)
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            comment = services.activity_comment(activity=activity, actor=request.user,
                                                body=data.validated_data["body"])
        except DjangoValidationError as error:
            return _bad(error)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: inline_serializer("LikeResult", {
        "liked": serializers.BooleanField(), "count": serializers.IntegerField()})})
    @action(detail=True, methods=["post", "delete"])
    def like(self, request: Request, pk: str) -> Response:
        activity = self._visible()
        if request.method == "DELETE":
            result = services.activity_unlike(activity=activity, actor=request.user)
        else:
            result = services.activity_like(activity=activity, actor=request.user)
        return Response({"liked": result.liked, "count": result.count})


def register_api_routes(router: DefaultRouter) -> None:
    router.register("activities", ActivityViewSet, basename="activity")
