"""Signed one-time links (invitations, e-mail verification): a signature over (row id,
nonce) with the schema in the salt, so a link never works on another tenant's host and a
new nonce kills earlier links. Only the nonce is stored, useless without SECRET_KEY."""

import secrets

from django.core import signing
from django.db import connection


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def _salt(purpose: str) -> str:
    return f"portal.{purpose}:{getattr(connection, 'schema_name', 'public')}"


def link_token(*, purpose: str, row_id: int, nonce: str) -> str:
    return signing.dumps({"i": row_id, "n": nonce}, salt=_salt(purpose))


def link_payload(*, purpose: str, token: str) -> tuple[int, str] | None:
    """(row id, nonce) of a well-signed token of this tenant and purpose; None otherwise."""
    try:
        payload = signing.loads(token, salt=_salt(purpose))
        return int(payload["i"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def nonce_matches(stored: str, given: str) -> bool:
    return bool(stored) and secrets.compare_digest(stored, given)
