"""Issuing, using and revoking API tokens (each a transaction, each audited)."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.api_tokens.models import ApiToken, TokenAudience, TokenScope
from crm.api_tokens.selectors import api_token_hash
from crm.core.audit import audit_event
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

SECRET_PREFIX = "nw_"
VISIBLE_PREFIX_LENGTH = 11  # "nw_" and 8 random characters
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once; only its hash is stored


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if len(name) > 100:
        raise ValidationError({"name": _("At most 100 characters.")})
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise ValidationError({"name": _("The name contains control characters.")})
    return name


def api_token_create(
    *, user: User, name: str, scope: str = TokenScope.READ_WRITE, actor: User | None = None,
    audience: str = TokenAudience.STAFF,
) -> IssuedToken:
    """A new token for ``user``: staff-API tokens for staff only, portal tokens for active
    portal members only. The secret is returned once, never stored."""
    if audience == TokenAudience.PORTAL:
        if user.kind != UserKind.MEMBER or not user.is_active:
            raise ValidationError(_("Only portal members can have portal API tokens."))
    elif audience == TokenAudience.STAFF:
        if not can(user, Capability.USE_CRM):
            raise ValidationError(_("Only staff users can have API tokens."))
    else:
        raise ValidationError({"audience": _("Unknown API.")})
    if scope not in TokenScope.values:
        raise ValidationError({"scope": _("Choose read or read_write.")})
    clean_name = _clean_name(name)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=clean_name, scope=scope, prefix=secret[:VISIBLE_PREFIX_LENGTH],
            key_hash=api_token_hash(secret), audience=audience,
        )
        audit_event(instance=token, action="token.created", actor=actor or user,
                    data={"name": clean_name, "scope": scope, "user": user.pk,
                          "audience": audience})
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, token: ApiToken, actor: User | None, reason: str = "revoked") -> ApiToken:
    """Revoke one token (idempotent: a revoked token stays revoked, audited once)."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit_event(instance=locked, action="token.revoked", actor=actor,
                        data={"reason": reason, "user": locked.user_id})
    return locked


def api_tokens_revoke_for_user(*, user: User, actor: User | None, reason: str) -> int:
    """Revoke every active token of ``user`` (their password changed or was reset)."""
    with transaction.atomic():
        tokens = list(ApiToken.objects.select_for_update()
                      .filter(user_id=user.pk, revoked_at__isnull=True))
        for token in tokens:
            api_token_revoke(token=token, actor=actor, reason=reason)
    return len(tokens)


def api_token_mark_used(*, token: ApiToken, now: datetime | None = None) -> None:
    """Record use, at most once a minute per token (no write on every API call)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
