"""Stripe webhooks: verify, store once by event id, process (in Celery) by re-reading the
truth from Stripe. Safe with duplicates and any delivery order: processing never trusts the
event body's state, only which customer it is about."""

import json
import logging
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing import stripe_api
from billing.models import BillingAccount, StripeEvent
from billing.services.subscriptions import StripeFacts, stripe_facts_apply, stripe_facts_read
from billing.stripe_client import StripeError, StripeUnavailableError
from tenants.models import Tenant

logger = logging.getLogger(__name__)

HANDLED_TYPES = frozenset({
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_succeeded",
    "invoice.payment_failed",
    "customer.updated",
})
# Stripe's default; older signatures are refused (replay protection).
SIGNATURE_TOLERANCE_SECONDS = 300


class WebhookRejectedError(Exception):
    """The request is not a genuine Stripe event (400) or cannot be checked yet (503)."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def stripe_event_verify(*, payload: bytes, signature: str) -> dict[str, Any]:
    """The event, if the signature (STRIPE_WEBHOOK_SECRET) matches and is recent."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        # 503 makes Stripe retry, so no event is lost while the secret is being set up.
        raise WebhookRejectedError("webhook secret not configured", status=503)
    if not signature:
        raise WebhookRejectedError("missing Stripe-Signature header")
    try:
        stripe.Webhook.construct_event(
            payload, signature, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError as exc:
        raise WebhookRejectedError("invalid signature") from exc
    except ValueError as exc:
        raise WebhookRejectedError("invalid payload") from exc
    try:
        event = json.loads(payload)
    except ValueError as exc:
        raise WebhookRejectedError("invalid payload") from exc
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise WebhookRejectedError("not an event")
    return event


def stripe_event_record(*, event: dict[str, Any]) -> tuple[StripeEvent, bool]:
    """Store the event once (unique event id); (event, True) when it is new. Processing is
    queued after commit for new events and for stored ones that are not processed yet."""
    created = False
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(
                event_id=event["id"], type=str(event["type"])[:100],
                livemode=bool(event.get("livemode")), payload=event,
            )
            created = True
    except IntegrityError:
        record = StripeEvent.objects.get(event_id=event["id"])
    if record.processed_at is None:
        event_pk = record.pk
        transaction.on_commit(lambda: _queue(event_pk))
    return record, created


def _queue(event_pk: int) -> None:
    from billing.tasks import process_stripe_event

    try:
        process_stripe_event.delay(event_pk)
    except Exception:
        # Stored already; the hourly sweep (billing.tasks.retry_unprocessed_events) picks
        # it up once the broker is back.
        logger.exception("Could not queue Stripe event %s", event_pk)


def _object(event: dict[str, Any]) -> dict[str, Any]:
    return ((event.get("data") or {}).get("object")) or {}


def _customer_id(event: dict[str, Any]) -> str:
    obj = _object(event)
    if event.get("type", "").startswith("customer.") and obj.get("object") == "customer":
        return str(obj.get("id") or "")
    customer = obj.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id")
    return str(customer or "")


def _account_for(event: dict[str, Any]) -> BillingAccount | None:
    """The billing account the event is about: by Stripe customer id, else (a customer we
    created, linked before its id was saved) by the tenant id in the metadata."""
    customer_id = _customer_id(event)
    if customer_id:
        account = BillingAccount.objects.select_related("tenant").filter(
            stripe_customer_id=customer_id
        ).first()
        if account is not None:
            return account
    obj = _object(event)
    metadata = obj.get("metadata") or {}
    tenant_id = metadata.get("tenant_id") or obj.get("client_reference_id")
    if not (tenant_id and str(tenant_id).isdigit() and customer_id):
        return None
    account = BillingAccount.objects.select_related("tenant").filter(
        tenant_id=int(tenant_id), stripe_customer_id__in=("", customer_id)
    ).first()
    if account is not None and not account.stripe_customer_id:
        BillingAccount.objects.filter(pk=account.pk).update(stripe_customer_id=customer_id)
        account.stripe_customer_id = customer_id
    return account


def stripe_event_process(*, event_pk: int) -> StripeEvent:
    """Apply one stored event. Stripe is read outside the database transaction; the local
    change and the 'processed' mark commit together. Raises StripeUnavailableError to retry."""
    record = StripeEvent.objects.get(pk=event_pk)
    if record.processed_at is not None:
        return record
    StripeEvent.objects.filter(pk=event_pk).update(attempts=record.attempts + 1)
    event = record.payload
    try:
        outcome, tenant, facts, account = _read(event)
    except StripeUnavailableError as exc:
        StripeEvent.objects.filter(pk=event_pk).update(error=str(exc)[:2000])
        raise
    except StripeError as exc:
        # Stripe refused a read (e.g. a deleted customer): record it; retrying won't help.
        return _finish(event_pk, tenant=None, outcome="", error=str(exc))
    with transaction.atomic():
        locked = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if locked.processed_at is not None:  # a concurrent worker got there first
            return locked
        if account is not None and facts is not None:
            outcome = stripe_facts_apply(
                account=account, facts=facts, reason=f"stripe {event.get('type')} {event['id']}"
            )
        return _finish(event_pk, tenant=tenant, outcome=outcome, error="")


def _finish(event_pk: int, *, tenant: Tenant | None, outcome: str, error: str) -> StripeEvent:
    StripeEvent.objects.filter(pk=event_pk).update(
        processed_at=timezone.now(), tenant=tenant, outcome=outcome[:200], error=error[:2000],
    )
    return StripeEvent.objects.get(pk=event_pk)


def _read(
    event: dict[str, Any],
) -> tuple[str, Tenant | None, StripeFacts | None, BillingAccount | None]:
    """Everything processing needs from Stripe (no local writes besides linking)."""
    event_type = event.get("type", "")
    if event_type not in HANDLED_TYPES:
        return "ignored type", None, None, None
    account = _account_for(event)
    if account is None:
        return "no tenant for this customer", None, None, None
    if event_type == "customer.updated":
        customer = stripe_api.customer_retrieve(account.stripe_customer_id)
        email = customer.get("email") or ""
        if email and email != account.billing_email:
            BillingAccount.objects.filter(pk=account.pk).update(billing_email=email)
        return "customer refreshed", account.tenant, None, None
    if event_type == "checkout.session.completed":
        _replace_previous_subscription(event)
    facts = stripe_facts_read(account=account)
    return "", account.tenant, facts, account


def _replace_previous_subscription(event: dict[str, Any]) -> None:
    """A plan change paid through Checkout: cancel the subscription it replaces (Stripe
    credits the unused time); cancelling twice is harmless."""
    session = _object(event)
    old = (session.get("metadata") or {}).get("replaces_subscription")
    new = session.get("subscription")
    if isinstance(new, dict):
        new = new.get("id")
    if old and old != new:
        stripe_api.subscription_cancel(old)
