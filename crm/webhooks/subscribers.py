"""The webhooks' subscriber to the one event path (crm.core.events), registered for "*"
from WebhooksConfig.ready(). It runs after the record's transaction committed; it stores
one delivery per subscribed endpoint and queues them (crm.webhooks.services)."""

from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context

from crm.core.events import DomainEvent
from crm.webhooks.services import deliveries_create_for_event


def queue_deliveries(event: DomainEvent) -> None:
    if event.schema_name == get_public_schema_name():
        return  # no tenant, no endpoints
    if connection.schema_name == event.schema_name:
        # Already there (the usual case: right after the request's commit). Switching anyway
        # would cost a `SET search_path` and clear Django's content-type cache.
        deliveries_create_for_event(event=event)
        return
    # The schema the event was emitted in, not whatever the connection points at later.
    with schema_context(event.schema_name):
        deliveries_create_for_event(event=event)
