"""Webhook commands: endpoints (admins only), deliveries of domain events, attempts.

A delivery is stored when the event is dispatched (after the record's transaction
committed) and queued to Celery after that row commits; a broker that is down only delays
it: beat sends every due row again (``deliver_due_webhooks``). An attempt first *claims* the
row by moving its ``next_attempt_at`` past the attempt's lease, so a row queued twice (by the
subscriber and by beat) is sent once. Failed attempts are retried with exponential backoff
for at least ``WEBHOOKS_RETRY_WINDOW_HOURS``; an endpoint whose attempts have failed for
``WEBHOOKS_DISABLE_AFTER_HOURS`` is disabled and the admins are told by e-mail."""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.core.events import EVENT_TYPES, DomainEvent
from crm.core.notifications import notify
from crm.webhooks import transport
from crm.webhooks.crypto import decrypt_secret, encrypt_secret
from crm.webhooks.models import PING_EVENT, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from crm.webhooks.selectors import integration_admins
from crm.webhooks.signing import SIGNATURE_HEADER, sign
from tenants.users.models import User
from tenants.users.permissions import Capability, can

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
# An attempt owns its row this long (longer than connect + read timeouts).
ATTEMPT_LEASE = timedelta(seconds=90)
RESPONSE_BODY_LIMIT = 1000


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def retry_delay(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed attempt: 1, 2, 4, 8 ... minutes, at most 4 h."""
    base = _setting("WEBHOOKS_RETRY_BASE_SECONDS", 60)
    ceiling = _setting("WEBHOOKS_RETRY_MAX_DELAY_SECONDS", 4 * 3600)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), ceiling))


def _require_admin(actor: User | None) -> None:
    if actor is not None and not can(actor, Capability.MANAGE_INTEGRATIONS):
        raise PermissionDenied(_("Only administrators may manage webhooks."))


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": _("Enter the URL that receives the events.")})
    if len(url) > 500:
        raise ValidationError({"url": _("The URL is too long (500 characters at most).")})
    try:
        transport.url_check(url)
    except transport.TargetRefusedError as exc:
        raise ValidationError({"url": _("Enter an http or https URL with a host name.")}) \
            from exc
    return url


def _clean_events(events: Any) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise ValidationError({"events": _("Choose at least one event.")})
    unknown = sorted({str(event) for event in events} - set(EVENT_TYPES))
    if unknown:
        raise ValidationError({"events": _("Unknown events: %(events)s.")
                               % {"events": ", ".join(unknown)}})
    return sorted(set(events))


@dataclass(frozen=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown to the caller once, never again


@transaction.atomic
def endpoint_create(*, actor: User | None, url: str, events: list[str],
                    description: str = "") -> CreatedEndpoint:
    """Register an endpoint; the answer carries its signing secret (shown once)."""
    _require_admin(actor)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        url=_clean_url(url), events=_clean_events(events),
        description=(description or "").strip()[:200],
        secret_encrypted=encrypt_secret(secret), secret_hint=secret[:10],
        created_by=actor,
    )
    audit_event(instance=endpoint, action="webhook.create", actor=actor,
                data={"url": endpoint.url, "events": endpoint.events})
    return CreatedEndpoint(endpoint=endpoint, secret=secret)


_UNSET: Any = object()


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, actor: User | None, url: str = _UNSET,
                    events: list[str] = _UNSET, description: str = _UNSET,
                    is_active: bool = _UNSET) -> WebhookEndpoint:
    """Change an endpoint. Turning it on again starts a new failure count."""
    _require_admin(actor)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    before = {"url": endpoint.url, "events": list(endpoint.events),
              "description": endpoint.description, "is_active": endpoint.is_active}
    if url is not _UNSET:
        endpoint.url = _clean_url(url)
    if events is not _UNSET:
        endpoint.events = _clean_events(events)
    if description is not _UNSET:
        endpoint.description = (description or "").strip()[:200]
    if is_active is not _UNSET:
        if is_active and not endpoint.is_active:
            endpoint.failing_since = None
            endpoint.disabled_at = None
            endpoint.disabled_reason = ""
        endpoint.is_active = bool(is_active)
    after = {"url": endpoint.url, "events": list(endpoint.events),
             "description": endpoint.description, "is_active": endpoint.is_active}
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes:
        endpoint.save()
        audit_event(instance=endpoint, action="webhook.update", actor=actor, changes=changes)
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, actor: User | None) -> None:
    """Delete the endpoint and its delivery log."""
    _require_admin(actor)
    audit_event(instance=None, action="webhook.delete", actor=actor,
                data={"id": endpoint.pk, "url": endpoint.url})
    endpoint.delete()


def event_body(*, event_id: str, event_type: str, created: datetime,
               data: Any) -> str:
    """The JSON every attempt sends, byte for byte: ``{"id", "type", "created", "data"}``."""
    created_utc = created.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return json.dumps({"id": event_id, "type": event_type, "created": created_utc,
                       "data": data}, cls=DjangoJSONEncoder, ensure_ascii=False,
                      separators=(",", ":"))


def _queue_after_commit(delivery_ids: list[int]) -> None:
    if delivery_ids:
        transaction.on_commit(lambda: queue_deliveries_now(delivery_ids))


def queue_deliveries_now(delivery_ids: list[int]) -> None:
    """Send the delivery tasks; with the broker down the rows wait for beat."""
    # The task module is the queue's address, not an adapter these services use.
    from crm.webhooks.tasks import deliver_webhook

    for delivery_id in delivery_ids:
        try:
            deliver_webhook.delay(delivery_id)
        except Exception:  # broker down: deliver_due_webhooks (beat) sends the row later
            logger.warning("Could not queue webhook delivery %s; beat will retry", delivery_id)
            return


def deliveries_create_for_event(*, event: DomainEvent) -> list[int]:
    """One delivery per active endpoint subscribed to ``event.type`` (idempotent per event:
    dispatching the same event twice stores nothing new); queued after commit."""
    # Most events have no subscribed endpoint: that answer is one read, without opening a
    # transaction (BEGIN/COMMIT) around it.
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True,
                                                    events__contains=[event.type]))
    if not endpoints:
        return []
    return _deliveries_store(event=event, endpoints=endpoints)


@transaction.atomic
def _deliveries_store(*, event: DomainEvent, endpoints: list[WebhookEndpoint]) -> list[int]:
    body = event_body(event_id=event.id, event_type=event.type, created=event.created,
                      data=dict(event.data))
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=endpoint, event_id=event.id, event_type=event.type,
                         body=body, next_attempt_at=now, created_at=now)
         for endpoint in endpoints],
        ignore_conflicts=True,
    )
    ids = list(WebhookDelivery.objects.filter(
        event_id=event.id, endpoint__in=endpoints, status=DeliveryStatus.PENDING,
        attempts=0).values_list("pk", flat=True))
    _queue_after_commit(ids)
    return ids


@transaction.atomic
def endpoint_ping(*, endpoint: WebhookEndpoint, actor: User | None) -> WebhookDelivery:
    """Queue a ``ping`` event to ``endpoint`` (also when it is off: that is how one checks a
    receiver before turning it on)."""
    _require_admin(actor)
    now = timezone.now()
    event_id = f"evt_{secrets.token_hex(16)}"
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=event_id, event_type=PING_EVENT,
        body=event_body(event_id=event_id, event_type=PING_EVENT, created=now,
                        data={"endpoint": endpoint.pk, "url": endpoint.url}),
        next_attempt_at=now, created_at=now,
    )
    _queue_after_commit([delivery.pk])
    return delivery


def _claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """Take the row for one attempt, or None when it is not due (sent, leased, disabled)."""
    claimed = WebhookDelivery.objects.filter(
        Q(endpoint__is_active=True) | Q(event_type=PING_EVENT),
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now,
    ).update(next_attempt_at=now + ATTEMPT_LEASE)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def delivery_attempt(*, delivery_id: int, now: datetime | None = None
                     ) -> WebhookDelivery | None:
    """Send a due delivery once and record the outcome (safe to call twice: a delivery that
    is not due, already sent or being sent is left alone and None is answered).

    ``now`` moves the schedule (tests travel in time); the signature's timestamp is always
    the real time of sending, which is what receivers compare with their clock."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Northwind-Webhooks/1.0",
        SIGNATURE_HEADER: sign(secret=decrypt_secret(endpoint.secret_encrypted), body=body,
                               timestamp=int(time.time())),
        "Northwind-Event": delivery.event_type,
        "Northwind-Delivery": delivery.event_id,
    }
    result = transport.post(url=endpoint.url, body=body, headers=headers)
    return _record(delivery_id=delivery.pk, result=result, now=now)


@transaction.atomic
def _record(*, delivery_id: int, result: transport.AttemptResult,
            now: datetime) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_status = result.status
    delivery.response_body = result.body[:RESPONSE_BODY_LIMIT]
    delivery.duration_ms = result.duration_ms
    delivery.error = result.error[:300]
    if result.ok:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.next_attempt_at = None
        if endpoint.failing_since is not None:
            endpoint.failing_since = None
            endpoint.save(update_fields=["failing_since", "updated_at"])
    else:
        window = timedelta(hours=_setting("WEBHOOKS_RETRY_WINDOW_HOURS", 24))
        if now - delivery.created_at >= window:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        if delivery.event_type != PING_EVENT:
            _count_failure(endpoint, now=now)
    delivery.save()
    return delivery


def _count_failure(endpoint: WebhookEndpoint, *, now: datetime) -> None:
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        endpoint.save(update_fields=["failing_since", "updated_at"])
        return
    limit = timedelta(hours=_setting("WEBHOOKS_DISABLE_AFTER_HOURS", 24))
    if endpoint.is_active and now - endpoint.failing_since >= limit:
        _disable(endpoint, now=now)


def _disable(endpoint: WebhookEndpoint, *, now: datetime) -> None:
    hours = _setting("WEBHOOKS_DISABLE_AFTER_HOURS", 24)
    endpoint.is_active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = _("Every delivery failed for %(hours)s hours.") % {"hours": hours}
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    audit_event(instance=endpoint, action="webhook.disabled", actor=None,
                data={"url": endpoint.url, "failing_since": endpoint.failing_since})
    # notify() e-mails from Celery after this transaction commits.
    notify(
        recipients=integration_admins(), actor=None, verb="webhook_disabled", target=endpoint,
        message=_("The webhook %(url)s was turned off: every delivery failed for %(hours)s "
                  "hours. Fix the receiver, then turn the webhook on again.")
        % {"url": endpoint.url, "hours": hours},
        url=reverse("crm_webhooks:endpoint_detail", args=[endpoint.pk]), email=True,
    )
