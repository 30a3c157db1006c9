"""POST /portal/api/v1/inquiries/: the inquiry as JSON, for forms a tenant embeds on its
other websites (CORS: only the origins in the tenant's inquiry settings, see cors.py)."""

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.inquiries import services
from portal.inquiries.models import InquiryChannel, InquirySettings
from tenants.security.client_ip import client_ip


class InquiryInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                    default="")
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    product_interest = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                             default="")
    message = serializers.CharField(max_length=5000)
    # The honeypot of an embedded form: people leave it empty.
    website = serializers.CharField(required=False, allow_blank=True, default="",
                                    write_only=True)


class InquiryCreateView(APIView):
    """Anonymous by design (the embedding site has no session here); spam defences are the
    honeypot, the per-address and per-e-mail limits and the CORS origin list."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="portal_inquiry_create",
        request=InquiryInputSerializer,
        responses={
            201: inline_serializer("InquiryReference", {"reference": serializers.CharField()}),
            400: OpenApiResponse(description="Invalid fields (by field name)"),
            429: OpenApiResponse(description="Too many inquiries from this address or e-mail"),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = InquiryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["website"].strip():
            return Response({"detail": _("The inquiry was not accepted."), "code": "rejected"},
                            status=status.HTTP_400_BAD_REQUEST)
        try:
            inquiry = services.inquiry_submit(
                name=data["name"], company=data["company"], email=data["email"],
                phone=data["phone"], product_interest=data["product_interest"],
                message=data["message"], channel=InquiryChannel.API,
                language=get_language() or "en", client_ip=client_ip(request) or None,
                origin=request.headers.get("Origin", ""),
                user_agent=request.headers.get("User-Agent", ""),
                inquiry_settings=InquirySettings.load(request_or_site=request),
            )
        except services.InquiryRateLimitedError:
            return Response(
                {"detail": _("Too many inquiries in a short time. Please try again later."),
                 "code": "rate_limited"},
                status=status.HTTP_429_TOO_MANY_REQUESTS, headers={"Retry-After": "3600"},
            )
        return Response({"reference": inquiry.reference}, status=status.HTTP_201_CREATED)
