"""``Authorization: Token <secret>`` against hashed API tokens. A read-only token refuses
unsafe methods with 403 on every endpoint, whatever the view's own permissions."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from crm.api_tokens.models import TokenAudience, TokenScope
from crm.api_tokens.selectors import api_token_for_secret
from crm.api_tokens.services import api_token_mark_used


class HashedTokenAuthentication(TokenAuthentication):
    """Staff-API tokens only; the portal API subclasses this with its own audience."""

    keyword = "Token"
    audience: str = TokenAudience.STAFF

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        if token.scope == TokenScope.READ and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(_("This API token is read-only."))
        return user, token

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = api_token_for_secret(secret=key, audience=self.audience)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        api_token_mark_used(token=token)
        return token.user, token
