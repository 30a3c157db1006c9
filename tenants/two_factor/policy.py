"""Who must have two-factor turned on: on a workspace's host its security policy
(crm.workspace: for administrators, or for everyone); on the public host every operator when
``OPERATOR_REQUIRE_2FA`` is set (the production default)."""

from typing import Any

from django.conf import settings
from django.db import connection

from tenants.users.models import UserKind
from tenants.users.permissions import Capability, can, is_operator


def two_factor_required(*, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    tenant = getattr(connection, "tenant", None)
    if tenant is not None and getattr(tenant, "kind", "") == "customer":
        if getattr(user, "kind", None) != UserKind.STAFF:
            return False
        from crm.workspace.selectors import security_policy_get

        policy = security_policy_get()
        return policy.require_2fa_everyone or (
            policy.require_2fa_admins and can(user, Capability.MANAGE_SETTINGS))
    if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return is_operator(user) and bool(getattr(settings, "OPERATOR_REQUIRE_2FA", False))
    return False
