"""Sign-ins, sign-outs and failed sign-ins on a workspace's host become audit entries
(``auth.login``, ``auth.logout``, ``auth.login_failed``). Never on the public host
(operators have their own audit), never the password: a failure keeps only the normalised
e-mail that was tried."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import connection
from django.http import HttpRequest

from crm.core.audit import audit_event
from crm.core.request_context import client_ip, current_client_ip
from tenants.users.models import User


def _in_workspace() -> bool:
    tenant = getattr(connection, "tenant", None)
    return tenant is not None and getattr(tenant, "kind", "") == "customer"


def _address(request: HttpRequest | None) -> str | None:
    return current_client_ip() or (client_ip(request) if request is not None else None)


def _user_label(user: Any) -> dict[str, str]:
    return {"email": user.email} if isinstance(user, User) else {}


def on_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if not _in_workspace():
        return
    audit_event(instance=user, action="auth.login", actor=user, data=_user_label(user),
                ip_address=_address(request))


def on_logged_out(sender: Any, request: HttpRequest | None, user: User | None,
                  **kwargs: Any) -> None:
    if not _in_workspace() or user is None or not getattr(user, "pk", None):
        return
    audit_event(instance=user, action="auth.logout", actor=user, data=_user_label(user),
                ip_address=_address(request))


def on_login_failed(sender: Any, credentials: dict[str, Any],
                    request: HttpRequest | None = None, **kwargs: Any) -> None:
    if not _in_workspace():
        return
    attempted = credentials.get("username") or credentials.get("email") or ""
    email = User.objects.normalize_email(str(attempted).strip()).lower()[:254]
    known = User.objects.filter(email__iexact=email).first() if email else None
    audit_event(instance=known, action="auth.login_failed", actor=None,
                data={"email": email}, ip_address=_address(request))


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="crm_workspace_audit_login")
    user_logged_out.connect(on_logged_out, dispatch_uid="crm_workspace_audit_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="crm_workspace_audit_login_failed")
