"""The audit log: field history and events, for every audited record, and administrative
events that concern no record at all (a failed sign-in for an unknown e-mail).

    before = audit_snapshot(account, AUDITED_FIELDS)
    ... change account ...
    audit_changes(instance=account, before=before, actor=actor)

Every entry records the client address of the request it was written in
(crm.core.request_context), without callers passing it.
"""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from crm.core.models import AuditEntry
from crm.core.request_context import current_client_ip
from tenants.users.models import User

# Actions shown in the administrative audit log (/crm/settings/audit-log/): changes to who
# may do what, to the workspace, and sign-ins. Record-level field history (an account's
# "update") stays on the record's own timeline.
ADMIN_ACTION_PREFIXES: tuple[str, ...] = (
    "user.", "team.", "region.", "role_policy.", "settings.", "token.", "invitation.",
    "export.", "auth.", "erasure.", "webhook.",
)


def is_admin_action(action: str) -> bool:
    return action.startswith(ADMIN_ACTION_PREFIXES)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def audit_snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audited fields' current values (FKs as ids) to compare against after a change."""
    snapshot = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        snapshot[name] = _plain(getattr(instance, attname))
    return snapshot


def audit_changes(
    *, instance: models.Model, before: dict[str, Any], actor: User | None,
    action: str = "update",
) -> AuditEntry | None:
    after = audit_snapshot(instance, before.keys())
    changes = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    if not changes:
        return None
    return _entry(instance, action=action, actor=actor, changes=changes)


def audit_event(
    *, instance: models.Model | None, action: str, actor: User | None,
    data: dict[str, Any] | None = None, changes: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """One event; ``instance=None`` for events about no record (a failed sign-in).
    ``ip_address`` defaults to the current request's client address."""
    return _entry(instance, action=action, actor=actor, changes=changes or {}, data=data or {},
                  ip_address=ip_address)


def _entry(instance: models.Model | None, *, action: str, actor: User | None,
           changes: dict[str, Any], data: dict[str, Any] | None = None,
           ip_address: str | None = None) -> AuditEntry:
    return AuditEntry.objects.create(
        # The instance itself, not its type: request.user arrives as a SimpleLazyObject.
        content_type=(ContentType.objects.get_for_model(instance)
                      if instance is not None else None),
        object_id=instance.pk if instance is not None else None,
        action=action,
        actor=actor,
        changes={k: [_plain(v) for v in pair] for k, pair in changes.items()},
        data={k: _plain(v) for k, v in (data or {}).items()},
        ip_address=ip_address or current_client_ip(),
    )


def history_for(instance: models.Model) -> QuerySet[AuditEntry]:
    """The record's history, newest first (visibility: the caller already may see it)."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)), object_id=instance.pk
    ).select_related("actor")
