"""POST /api/v1/auth/token/ with {"email", "password"} -> {"token": "..."}.

Each call issues a new named token (``name`` and ``scope`` are optional), stored only as a
hash; the caller lists and revokes them at /api/v1/auth/tokens/. Sign-in goes through the
one throttle (tenants.security.throttle): past its limits the answer is 429
``{"detail", "code": "throttled"}`` with ``Retry-After``, before the password is checked.
A user with two-factor turned on also sends ``"otp"`` (a current code or a backup code);
without it the answer is 400 ``{"code": "otp_required"}``, with a wrong one
``{"code": "invalid_otp"}`` (counted by the throttle).
"""

from typing import Any

from django.contrib.auth import authenticate, user_logged_in
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from crm.api_tokens.models import TokenScope
from crm.api_tokens.services import api_token_create
from tenants.security.throttle import (
    mark_throttled,
    throttle_check,
    throttle_record_failure,
    throttle_reset,
    throttled_response,
)
from tenants.two_factor.services import two_factor_enabled, two_factor_verify
from tenants.users.permissions import Capability, can


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False)
    scope = serializers.ChoiceField(choices=TokenScope.choices, default=TokenScope.READ_WRITE)
    otp = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                help_text="A current two-factor code (users with two-factor).")


class ObtainTokenView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request: Request) -> Response:
        http_request = request._request
        decision = throttle_check(http_request, request.data.get("email", "")
                                  if hasattr(request.data, "get") else "")
        if decision.blocked:
            mark_throttled(http_request)
            response = Response({"detail": decision.message, "code": "throttled"},
                                status=status.HTTP_429_TOO_MANY_REQUESTS)
            return throttled_response(response, decision)
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = authenticate(http_request, username=data["email"], password=data["password"])
        if user is None or not can(user, Capability.USE_CRM):
            if user is not None:  # right password, but no staff API for this user: counts
                throttle_record_failure(http_request, data["email"])
            return Response(
                {"detail": _("E-mail or password is not correct."), "code": "invalid_login"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if two_factor_enabled(user=user):
            refused = self._second_factor(http_request, user, data)
            if refused is not None:
                return refused
        name = data.get("name") or _("API sign-in %(date)s") % {
            "date": timezone.now().strftime("%Y-%m-%d %H:%M")}
        issued = api_token_create(user=user, name=str(name), scope=data["scope"], actor=user)
        # A token issued is a sign-in: subscribers (last_login, audit log) hear of it.
        user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        return Response({"token": issued.secret})

    @staticmethod
    def _second_factor(http_request: Any, user: Any, data: dict[str, Any]) -> Response | None:
        """Users with two-factor get a token only with a valid ``otp``; a wrong code counts
        against the sign-in throttle like a wrong password."""
        code = data.get("otp") or ""
        if not code:
            return Response({"detail": _("Send a current two-factor code as \"otp\"."),
                             "code": "otp_required"}, status=status.HTTP_400_BAD_REQUEST)
        if two_factor_verify(user=user, token=code) is None:
            throttle_record_failure(http_request, data["email"])
            return Response({"detail": _("The two-factor code is not correct."),
                             "code": "invalid_otp"}, status=status.HTTP_400_BAD_REQUEST)
        throttle_reset(http_request, data["email"])
        return None
