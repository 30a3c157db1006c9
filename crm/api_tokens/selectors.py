"""Reads of API tokens: a user sees only their own, and revoked tokens are gone for them."""

import hashlib

from django.db.models import QuerySet
from django.http import Http404

from crm.api_tokens.models import ApiToken, TokenAudience
from tenants.users.models import User


def api_token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_list_for(*, viewer: User) -> QuerySet[ApiToken]:
    """The viewer's own active staff-API tokens, newest first (nobody lists another
    user's)."""
    return ApiToken.objects.filter(user_id=viewer.pk, revoked_at__isnull=True,
                                   audience=TokenAudience.STAFF)


def api_token_get_for(*, viewer: User, token_id: int | str) -> ApiToken:
    """One of the viewer's active tokens; Http404 for missing, revoked, another user's or
    garbage ids alike."""
    try:
        pk = int(token_id)
    except (TypeError, ValueError):
        raise Http404 from None
    token = api_token_list_for(viewer=viewer).filter(pk=pk).first()
    if token is None:
        raise Http404
    return token


def api_token_for_secret(*, secret: str,
                         audience: str = TokenAudience.STAFF) -> ApiToken | None:
    """The active token of ``audience`` whose secret this is, with its active user; None
    otherwise (a portal token asked for as a staff token is None). Looked up by the hash
    (unique index): the secret itself is never stored or compared."""
    if not secret or len(secret) > 200:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=api_token_hash(secret), revoked_at__isnull=True, user__is_active=True,
                audience=audience)
        .first()
    )
