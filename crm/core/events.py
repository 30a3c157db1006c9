"""The one domain-event path (ARCHITECTURE: "services emit domain events through one module
after commit"). A service calls ``emit("quote.accepted", data={...})`` inside its
transaction; subscribers (in-app notifications, outbound webhooks, ...) run only after that
transaction commits, each isolated from the others, so a failing subscriber can neither
roll back the customer's record nor stop the next subscriber.

Subscribers register with ``@subscriber("quote.accepted")`` (or ``"*"`` for all events) from
their AppConfig.ready(). A subscriber must be cheap: anything that can fail or take time
(HTTP, e-mail) is queued to Celery by the subscriber itself.

Every event type is declared in ``EVENT_TYPES`` so that integrators' subscriptions can be
validated against one list and an unknown type is a programming error, not a silent no-op.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# type -> human label (shown where users pick events, e.g. webhook endpoints).
EVENT_TYPES: dict[str, Any] = {
    "lead.created": _("Lead created"),
    "account.created": _("Account created"),
    "account.updated": _("Account updated"),
    "opportunity.stage_changed": _("Opportunity stage changed"),
    "opportunity.won": _("Opportunity won"),
    "quote.accepted": _("Quote accepted"),
    "order.approved": _("Order approved"),
    "order.delivered": _("Order delivered"),
    "payment.recorded": _("Payment recorded"),
    "service_request.created": _("Service request created"),
    "service_request.status_changed": _("Service request status changed"),
}


@dataclass(frozen=True)
class DomainEvent:
    type: str
    data: Mapping[str, Any]
    schema_name: str
    id: str = field(default_factory=lambda: f"evt_{uuid.uuid4().hex}")
    created: datetime = field(default_factory=timezone.now)


Handler = Callable[[DomainEvent], None]
_subscribers: dict[str, list[Handler]] = defaultdict(list)


def subscriber(event_type: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``event_type`` (a key of EVENT_TYPES, or "*")."""
    if event_type != "*" and event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {event_type!r}")

    def register(handler: Handler) -> Handler:
        if handler not in _subscribers[event_type]:
            _subscribers[event_type].append(handler)
        return handler

    return register


def emit(event_type: str, *, data: Mapping[str, Any]) -> DomainEvent:
    """Announce ``event_type`` with a JSON-serialisable ``data``; delivered after commit."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {event_type!r}")
    event = DomainEvent(type=event_type, data=dict(data),
                        schema_name=getattr(connection, "schema_name", "public"))
    transaction.on_commit(lambda: dispatch(event))
    return event


def dispatch(event: DomainEvent) -> None:
    """Run every subscriber of ``event``; one failing subscriber never stops the others."""
    for handler in [*_subscribers.get(event.type, []), *_subscribers.get("*", [])]:
        try:
            handler(event)
        except Exception:
            logger.exception("Event subscriber %r failed for %s", handler, event.type)
