"""Webhook reads. Endpoints and their deliveries are tenant-wide settings: only users with
MANAGE_INTEGRATIONS (admins) see any of them; everyone else gets the same 404 as for an
endpoint that does not exist."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from crm.webhooks.models import PING_EVENT, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tenants.users.models import User, UserKind
from tenants.users.permissions import ROLE_CAPABILITIES, Capability, can


def endpoint_list(*, viewer: User) -> QuerySet[WebhookEndpoint]:
    """Every endpoint of the tenant for admins; nothing for anyone else."""
    if not can(viewer, Capability.MANAGE_INTEGRATIONS):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.all()


def endpoint_get_for(*, viewer: User, endpoint_id: object) -> WebhookEndpoint:
    """The endpoint if ``viewer`` may manage it; Http404 for "missing", "not yours" and
    garbage ids alike."""
    try:
        pk = int(str(endpoint_id))
    except (TypeError, ValueError):
        raise Http404 from None
    endpoint = endpoint_list(viewer=viewer).filter(pk=pk).first()
    if endpoint is None:
        raise Http404
    return endpoint


def delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first (``endpoint`` comes from endpoint_get_for)."""
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-pk")


def deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of deliveries whose next attempt has come (beat sends them), oldest first."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            Q(endpoint__is_active=True) | Q(event_type=PING_EVENT),
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now,
        ).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]
    )


def integration_admins() -> QuerySet[User]:
    """Active staff whose role may manage webhooks (they hear when one is turned off)."""
    roles = [role for role, capabilities in ROLE_CAPABILITIES.items()
             if Capability.MANAGE_INTEGRATIONS in capabilities]
    return User.objects.filter(kind=UserKind.STAFF, is_active=True, role__in=roles)
