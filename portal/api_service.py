"""The member API of assets and service requests (/portal/api/v1/assets/ and
/portal/api/v1/service-requests/): lists and details as before, and the writes of the
customer: register an asset, raise a request (with files), reply, close, reopen, rate, and
download a request's files.

Every record comes through portal.selectors inside the member's scope (the base viewset,
portal.api.MemberReadOnlyViewSet): a record of another account is a 404, also for the
actions. Ids in the body (an asset, a product, an account) are looked up the same way and
answer 400 with the field at fault when they are not the member's. The rules are the
service's (crm.service.services); these adapters parse, call and render.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from crm.accounts.models import Account
from crm.core.files import protected_file_response
from crm.core.models import Attachment
from crm.service.models import Asset, ServiceRequest, Severity
from crm.service.services import (
    asset_register_by_member,
    service_comment_add,
    service_request_close,
    service_request_create,
    service_request_rate,
    service_request_reopen,
)
from crm.service.services.requests import reopen_deadline
from portal import selectors
from portal.api import (
    ACCOUNT_PARAMETER,
    AssetSerializer,
    MemberReadOnlyViewSet,
    ServiceRequestSerializer,
)
from portal.selectors import PortalScope

UPLOAD_PARSERS = (JSONParser, MultiPartParser, FormParser)


def _bad(field: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [message]})


def _target_account(scope: PortalScope, account_id: int | None) -> Account:
    """The account a new record is for: the one asked for (among the member's), else the
    member's current (first, or ``?account=``) account."""
    if account_id is not None:
        account = selectors.member_accounts(scope).filter(pk=account_id).first()
        if account is None:
            raise _bad("account", _("You have no such account."))
        return account
    if not scope.memberships:
        raise _bad("account", _("No account is linked to this portal account."))
    return scope.memberships[0].account


def _contact_at(scope: PortalScope, account: Account) -> Any:
    """The member's contact at ``account`` (None when they reach it as a head office's
    customer admin: the request is still theirs, by ``created_by``)."""
    return next((m.contact for m in scope.memberships if m.account_id == account.pk), None)


def _service_errors(error: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"detail": error.messages})


# --- assets ------------------------------------------------------------------------------

class AssetRegisterSerializer(serializers.Serializer):
    serial_number = serializers.CharField(max_length=100)
    product = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                       max_value=2**63 - 1,
                                       help_text="A catalog product's id (GET catalog/); or "
                                                 "give make and model.")
    make = serializers.CharField(max_length=100, required=False, allow_blank=True)
    model = serializers.CharField(max_length=100, required=False, allow_blank=True)
    customer_reference = serializers.CharField(max_length=100, required=False,
                                               allow_blank=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    installed_on = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    account = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                       max_value=2**63 - 1,
                                       help_text="One of the member's accounts; default: "
                                                 "the current one.")


@extend_schema(parameters=[ACCOUNT_PARAMETER])
class MemberAssetViewSet(MemberReadOnlyViewSet):
    """Assets of the member's accessible accounts (portal.selectors.member_assets); a
    member registers one by serial number, pending staff verification."""

    serializer_class = AssetSerializer
    queryset = Asset.objects.none()

    def scoped_queryset(self, scope: PortalScope) -> QuerySet:
        return selectors.member_assets(scope)

    @extend_schema(request=AssetRegisterSerializer,
                   responses={201: AssetSerializer,
                              400: OpenApiResponse(description="Bad input, or the serial "
                                                               "number is registered already.")})
    def create(self, request: Request) -> Response:
        """Register equipment by serial number: a catalog product or make and model; the
        asset is pending until staff verify it."""
        parsed = AssetRegisterSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        scope = self.member_scope()
        account = _target_account(scope, data.get("account"))
        product = None
        if data.get("product") is not None:
            try:
                product = selectors.member_asset_product_get(data["product"])
            except Http404:
                raise _bad("product", _("Unknown product.")) from None
        try:
            asset = asset_register_by_member(
                member=request.user, account=account, serial_number=data["serial_number"],
                product=product, make=data.get("make", ""), model=data.get("model", ""),
                customer_reference=data.get("customer_reference", ""),
                location=data.get("location", ""), installed_on=data.get("installed_on"),
                notes=data.get("notes", ""))
        except DjangoValidationError as error:
            raise _service_errors(error) from error
        asset = selectors.member_asset_get(scope, asset.pk)
        return Response(AssetSerializer(asset).data, status=status.HTTP_201_CREATED)


# --- service requests --------------------------------------------------------------------

class AttachmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    uploaded_at = serializers.DateTimeField()
    by_customer = serializers.BooleanField()
    url = serializers.CharField(help_text="Download (as an attachment) with the same "
                                          "credentials.")


class PublicCommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField()
    author = serializers.CharField()
    by_customer = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=["status", "comment", "file"])
    by_customer = serializers.BooleanField()
    from_status = serializers.CharField(allow_null=True, required=False)
    to_status = serializers.CharField(allow_null=True, required=False)
    note = serializers.CharField(allow_null=True, required=False,
                                 help_text="Only on changes the customer made.")
    comment = serializers.IntegerField(allow_null=True, required=False)
    attachment = serializers.IntegerField(allow_null=True, required=False)
    text = serializers.CharField(help_text="The entry in words, in the member's language.")


class MemberActionsSerializer(serializers.Serializer):
    close = serializers.BooleanField()
    reopen = serializers.BooleanField()
    rate = serializers.BooleanField()


def _size(attachment: Attachment) -> int | None:
    try:
        return int(attachment.file.size)
    except (OSError, ValueError):
        return None


def _timeline_row(entry: selectors.MemberTimelineEntry) -> dict[str, Any]:
    row: dict[str, Any] = {"at": entry.at, "kind": entry.kind, "by_customer": entry.by_customer,
                           "text": entry.text}
    if entry.kind == "status":
        row.update(from_status=entry.item.from_status or None, to_status=entry.item.to_status,
                   note=entry.item.note if entry.by_customer else None)
    elif entry.kind == "comment":
        row["comment"] = entry.item.pk
    else:
        row["attachment"] = entry.item.pk
    return row


class MemberServiceRequestDetailSerializer(ServiceRequestSerializer):
    """A request as its customer sees it: SLA due times, the status timeline, public
    comments only, files, the rating and what they can do now."""

    description = serializers.CharField(read_only=True)
    rating_score = serializers.IntegerField(read_only=True, allow_null=True)
    rating_remark = serializers.CharField(read_only=True)
    rated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reopen_until = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta(ServiceRequestSerializer.Meta):
        fields = (*ServiceRequestSerializer.Meta.fields, "description", "rating_score",
                  "rating_remark", "rated_at", "reopen_until", "actions", "timeline",
                  "comments", "attachments")

    def _entries(self, service_request: ServiceRequest) -> list[selectors.MemberTimelineEntry]:
        cache = self.context.setdefault("_timelines", {})
        if service_request.pk not in cache:
            cache[service_request.pk] = selectors.member_service_request_timeline(
                self.context["request"].user, service_request)
        return cache[service_request.pk]

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_reopen_until(self, service_request: ServiceRequest) -> Any:
        return reopen_deadline(service_request)

    @extend_schema_field(MemberActionsSerializer)
    def get_actions(self, service_request: ServiceRequest) -> dict[str, bool]:
        return selectors.member_request_actions(service_request)

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, service_request: ServiceRequest) -> list[dict[str, Any]]:
        return TimelineEntrySerializer(
            [_timeline_row(entry) for entry in self._entries(service_request)],
            many=True).data  # type: ignore[return-value]

    @extend_schema_field(PublicCommentSerializer(many=True))
    def get_comments(self, service_request: ServiceRequest) -> list[dict[str, Any]]:
        return PublicCommentSerializer([
            {"id": entry.item.pk, "body": entry.item.body,
             "author": selectors.comment_author(entry.item), "by_customer": entry.by_customer,
             "created_at": entry.item.created_at}
            for entry in self._entries(service_request) if entry.kind == "comment"],
            many=True).data  # type: ignore[return-value]

    @extend_schema_field(AttachmentRefSerializer(many=True))
    def get_attachments(self, service_request: ServiceRequest) -> list[dict[str, Any]]:
        return AttachmentRefSerializer([
            {"id": entry.item.pk, "name": entry.item.name, "size": _size(entry.item),
             "uploaded_at": entry.item.created_at, "by_customer": entry.by_customer,
             "url": f"/portal/api/v1/service-requests/{service_request.pk}/files/"
                    f"{entry.item.pk}/"}
            for entry in self._entries(service_request) if entry.kind == "file"],
            many=True).data  # type: ignore[return-value]


class FilesField(serializers.ListField):
    child = serializers.FileField(max_length=200, allow_empty_file=True)


class ServiceRequestCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.NORMAL)
    category = serializers.CharField(max_length=100, required=False, allow_blank=True)
    asset = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                     max_value=2**63 - 1,
                                     help_text="One of the member's assets; none: other.")
    account = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                       max_value=2**63 - 1,
                                       help_text="One of the member's accounts; default: the "
                                                 "asset's, else the current one.")
    files = FilesField(required=False, help_text="Attachments (multipart/form-data).")


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20_000)
    files = FilesField(required=False, help_text="Attachments (multipart/form-data).")


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class RateSerializer(serializers.Serializer):
    score = serializers.IntegerField(help_text="1 (poor) to 5 (excellent).")
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True)


_NOT_FOUND = OpenApiResponse(description="Not one of the member's requests.")
_BAD = OpenApiResponse(description="Bad input, or not possible in the request's status.")


@extend_schema(parameters=[ACCOUNT_PARAMETER])
class MemberServiceRequestViewSet(MemberReadOnlyViewSet):
    """Service requests the member may see (portal.selectors.member_service_requests):
    members their own, customer admins all of their accounts (and branches where allowed)."""

    serializer_class = ServiceRequestSerializer
    queryset = ServiceRequest.objects.none()
    parser_classes = UPLOAD_PARSERS

    def scoped_queryset(self, scope: PortalScope) -> QuerySet:
        return selectors.member_service_requests(scope)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return (ServiceRequestSerializer if self.action == "list"
                else MemberServiceRequestDetailSerializer)

    def _detail(self, service_request: ServiceRequest, *,
                code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.member_service_request_get(self.member_scope(), service_request.pk)
        return Response(MemberServiceRequestDetailSerializer(
            fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request={"application/json": ServiceRequestCreateSerializer,
                            "multipart/form-data": ServiceRequestCreateSerializer},
                   responses={201: MemberServiceRequestDetailSerializer, 400: _BAD})
    def create(self, request: Request) -> Response:
        """Raise a request against one of the member's assets (or none: "other"), with
        files; the answer carries the SLA due times."""
        parsed = ServiceRequestCreateSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        scope = self.member_scope()
        asset = None
        if data.get("asset") is not None:
            try:
                asset = selectors.member_asset_get(scope, data["asset"])
            except Http404:
                raise _bad("asset", _("Unknown asset.")) from None
        account_id = data.get("account")
        if account_id is None and asset is not None:
            account_id = asset.account_id
        account = _target_account(scope, account_id)
        try:
            created = service_request_create(
                actor=request.user, account=account, contact=_contact_at(scope, account),
                asset=asset, subject=data["subject"], description=data.get("description", ""),
                severity=data["severity"], category=data.get("category", ""),
                uploads=data.get("files", []))
        except DjangoValidationError as error:
            raise _service_errors(error) from error
        return self._detail(created, code=status.HTTP_201_CREATED)

    @extend_schema(request={"application/json": CommentCreateSerializer,
                            "multipart/form-data": CommentCreateSerializer},
                   responses={201: MemberServiceRequestDetailSerializer, 400: _BAD,
                              404: _NOT_FOUND})
    @action(detail=True, methods=["post"], url_path="comments")
    def comments(self, request: Request, pk: str | None = None) -> Response:
        """Reply (always public); a request waiting on the customer goes back in progress
        and its resolution clock runs again."""
        service_request = self.get_object()
        parsed = CommentCreateSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        try:
            service_comment_add(request=service_request, actor=request.user,
                                body=parsed.validated_data["body"], public=True,
                                uploads=parsed.validated_data.get("files", []))
        except DjangoValidationError as error:
            raise _service_errors(error) from error
        return self._detail(service_request, code=status.HTTP_201_CREATED)

    @extend_schema(request=CloseSerializer,
                   responses={200: MemberServiceRequestDetailSerializer, 400: _BAD,
                              404: _NOT_FOUND})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the request (the problem went away, or the resolution is accepted)."""
        service_request = self.get_object()
        parsed = CloseSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        try:
            service_request_close(request=service_request, actor=request.user,
                                  note=parsed.validated_data.get("note", ""))
        except DjangoValidationError as error:
            raise _service_errors(error) from error
        return self._detail(service_request)

    @extend_schema(request=ReopenSerializer,
                   responses={200: MemberServiceRequestDetailSerializer, 400: _BAD,
                              404: _NOT_FOUND})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        """Reopen a resolved or closed request within the tenant's reopen window."""
        service_request = self.get_object()
        parsed = ReopenSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        try:
            service_request_reopen(request=service_request, actor=request.user,
                                   reason=parsed.validated_data["reason"])
        except DjangoValidationError as error:
            raise _service_errors(error) from error
        return self._detail(service_request)

    @extend_schema(request=RateSerializer,
                   responses={200: MemberServiceRequestDetailSerializer, 400: _BAD,
                              404: _NOT_FOUND})
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, pk: str | None = None) -> Response:
        """Rate the service (1 to 5, and a comment) once the request is resolved; once."""
        service_request = self.get_object()
        parsed = RateSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        try:
            service_request_rate(request=service_request, actor=request.user,
                                 score=parsed.validated_data["score"],
                                 remark=parsed.validated_data.get("comment", ""))
        except DjangoValidationError as error:
            raise _service_errors(error) from error
        return self._detail(service_request)

    @extend_schema(
        parameters=[OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: _NOT_FOUND})
    @action(detail=True, methods=["get"], url_path=r"files/(?P<attachment_id>[0-9]+)")
    def files(self, request: Request, pk: str | None = None,
              attachment_id: str | None = None) -> FileResponse:
        """One file of the request, as a download (never shown inline)."""
        attachment = selectors.member_request_attachment_get(
            self.member_scope(), pk or "", attachment_id or "")
        return protected_file_response(attachment.file, filename=attachment.name)
