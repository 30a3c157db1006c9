"""The workspace's session lifetime, applied when someone signs in on its host (the
session's expiry is set then; changing the setting affects sign-ins from then on)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.http import HttpRequest

from crm.workspace.selectors import security_policy_get


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    tenant = getattr(connection, "tenant", None)
    if tenant is None or getattr(tenant, "kind", "") != "customer":
        return
    session = getattr(request, "session", None) if request is not None else None
    if session is None:
        return
    hours = security_policy_get().session_lifetime_hours
    if hours:
        session.set_expiry(hours * 3600)


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="crm.workspace.session_lifetime")
