"""Reads of the workspace settings and the administrative audit log.

Both are for administrators (``Capability.MANAGE_SETTINGS``): the views and the API check
that before calling; the schema keeps every tenant's rows apart."""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Q, QuerySet

from crm.core.audit import ADMIN_ACTION_PREFIXES
from crm.core.models import AuditEntry
from crm.workspace.choices import default_number_format
from crm.workspace.models import WorkspaceSettings
from tenants.models import Tenant


def workspace_settings_get(*, tenant: Tenant) -> WorkspaceSettings:
    """This schema's settings row; before the first save, an unsaved row with defaults that
    follow the workspace's language."""
    workspace = WorkspaceSettings.objects.filter(pk=WorkspaceSettings.SINGLETON_PK).first()
    if workspace is None:
        workspace = WorkspaceSettings(pk=WorkspaceSettings.SINGLETON_PK,
                                      number_format=default_number_format(tenant.language))
    return workspace


@dataclass(frozen=True)
class SecurityPolicy:
    require_2fa_admins: bool = False
    require_2fa_everyone: bool = False
    session_lifetime_hours: int | None = None


SECURITY_POLICY_CACHE_KEY = "workspace:security-policy"  # schema-prefixed by the cache


def security_policy_get() -> SecurityPolicy:
    """This workspace's two-factor and session rules (read on protected requests: cached,
    and forgotten by workspace_update)."""
    cached = cache.get(SECURITY_POLICY_CACHE_KEY)
    if isinstance(cached, SecurityPolicy):
        return cached
    row = (WorkspaceSettings.objects.filter(pk=WorkspaceSettings.SINGLETON_PK)
           .values("require_2fa_admins", "require_2fa_everyone", "session_lifetime_hours")
           .first())
    policy = SecurityPolicy(**row) if row else SecurityPolicy()
    cache.set(SECURITY_POLICY_CACHE_KEY, policy, 300)
    return policy


def security_policy_forget() -> None:
    cache.delete(SECURITY_POLICY_CACHE_KEY)


@dataclass(frozen=True)
class AuditLogFilters:
    actor_id: int | None = None
    # An exact action ("auth.login") or a prefix ending in "." ("auth.").
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    before_id: int | None = None  # keyset: entries older than this id


def _admin_actions_q() -> Q:
    condition = Q()
    for prefix in ADMIN_ACTION_PREFIXES:
        condition |= Q(action__startswith=prefix)
    return condition


def audit_log_entries(*, filters: AuditLogFilters) -> QuerySet[AuditEntry]:
    """Administrative events and sign-ins, newest first (by id), filtered; no record-level
    field history. Page with ``before_id`` (keyset): no COUNT(*), stable while rows arrive."""
    entries = AuditEntry.objects.filter(_admin_actions_q())
    if filters.actor_id is not None:
        entries = entries.filter(actor_id=filters.actor_id)
    if filters.action:
        if filters.action.endswith("."):
            entries = entries.filter(action__startswith=filters.action)
        else:
            entries = entries.filter(action=filters.action)
    if filters.since is not None:
        entries = entries.filter(created_at__gte=filters.since)
    if filters.until is not None:
        entries = entries.filter(created_at__lt=filters.until)
    if filters.before_id is not None:
        entries = entries.filter(pk__lt=filters.before_id)
    return entries.select_related("actor", "content_type").order_by("-id")


def audit_log_page(*, filters: AuditLogFilters, size: int = 50,
                   ) -> tuple[list[AuditEntry], int | None]:
    """One page and the ``before_id`` of the next one (``None`` on the last page)."""
    rows = list(audit_log_entries(filters=filters)[: size + 1])
    if len(rows) > size:
        return rows[:size], rows[size - 1].pk
    return rows, None
