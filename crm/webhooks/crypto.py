"""Webhook signing secrets at rest: encrypted with Fernet (cryptography), never stored in
the clear. We must be able to read the secret back to sign each delivery, so a hash (as for
API tokens) will not do; encryption keeps a database dump or a tenant export from handing
out every integrator's secret.

Keys come from ``WEBHOOKS_SECRET_KEYS`` (a list; the first encrypts, all decrypt, so keys can
be rotated); without it one key is derived from SECRET_KEY, which is good enough for local
and test settings and means production keeps working if the setting is forgotten."""

import base64
import hashlib

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _fernet() -> MultiFernet:
    keys = list(getattr(settings, "WEBHOOKS_SECRET_KEYS", None) or [])
    if not keys:
        digest = hashlib.sha256(f"crm.webhooks:{settings.SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()
