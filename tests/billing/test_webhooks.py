"""POST /billing/stripe/webhook/: signature checks, storing once, replay, any order,
isolation between tenants."""

import json
import time

import pytest

from billing.models import BillingAccount, Plan, StripeEvent
from tenants.models import Tenant, TenantStatus

from .conftest import make_event
from .helpers import subscribe

pytestmark = pytest.mark.django_db


def _status(tenant: Tenant) -> str:
    return Tenant.objects.get(pk=tenant.pk).status


def test_valid_event_is_stored_once_and_makes_trial_tenant_active(
    tenant_a, stripe_on_localstripe, raw_stripe, post_event
):
    assert _status(tenant_a.tenant) == TenantStatus.TRIAL
    subscription = subscribe(raw_stripe, tenant_a.tenant, seats=12)
    event = make_event("customer.subscription.created", subscription)

    response = post_event(event)

    assert response.status_code == 200
    assert response.json()["duplicate"] is False
    stored = StripeEvent.objects.get(event_id=event["id"])
    assert stored.processed_at is not None
    assert stored.tenant_id == tenant_a.tenant.pk
    assert stored.attempts == 1
    assert _status(tenant_a.tenant) == TenantStatus.ACTIVE
    account = BillingAccount.objects.get(tenant=tenant_a.tenant)
    assert account.stripe_subscription_id == subscription["id"]
    assert account.seats_paid == 12
    assert account.plan.code == "growth"
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).plan_code == "growth"


def test_replayed_event_is_a_no_op(tenant_a, stripe_on_localstripe, raw_stripe, post_event):
    subscription = subscribe(raw_stripe, tenant_a.tenant)
    event = make_event("customer.subscription.updated", subscription)
    assert post_event(event).status_code == 200
    first = StripeEvent.objects.get(event_id=event["id"])

    replay = post_event(event)

    assert replay.status_code == 200
    assert replay.json()["duplicate"] is True
    assert StripeEvent.objects.filter(event_id=event["id"]).count() == 1
    again = StripeEvent.objects.get(event_id=event["id"])
    assert again.attempts == first.attempts == 1
    assert again.processed_at == first.processed_at


def test_tampered_body_is_refused_and_not_stored(tenant_a, stripe_on_localstripe, post_event):
    event = make_event("customer.subscription.deleted", {"id": "sub_x", "customer": "cus_x"})
    tampered = json.dumps({**event, "type": "invoice.paid"}).encode()

    response = post_event(event, body=tampered)

    assert response.status_code == 400
    assert not StripeEvent.objects.filter(event_id=event["id"]).exists()


def test_wrong_secret_is_refused(stripe_on_localstripe, post_event):
    event = make_event("invoice.paid", {"id": "in_x", "customer": "cus_x"})

    response = post_event(event, secret="whsec_someone_else")

    assert response.status_code == 400
    assert not StripeEvent.objects.filter(event_id=event["id"]).exists()


def test_stale_timestamp_is_refused(stripe_on_localstripe, post_event):
    event = make_event("invoice.paid", {"id": "in_x", "customer": "cus_x"})

    response = post_event(event, timestamp=int(time.time()) - 3600)

    assert response.status_code == 400
    assert not StripeEvent.objects.filter(event_id=event["id"]).exists()


def test_missing_signature_and_bad_json_are_400_not_500(public_client, stripe_on_localstripe):
    no_header = public_client.post("/billing/stripe/webhook/", data=b"{}",
                                   content_type="application/json")
    assert no_header.status_code == 400
    garbage = public_client.post("/billing/stripe/webhook/", data=b"not json",
                                 content_type="application/json",
                                 HTTP_STRIPE_SIGNATURE="t=1,v1=abc")
    assert garbage.status_code == 400
    assert public_client.get("/billing/stripe/webhook/").status_code == 405


def test_unconfigured_secret_answers_503_so_stripe_retries(public_client, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = public_client.post("/billing/stripe/webhook/", data=b"{}",
                                  content_type="application/json",
                                  HTTP_STRIPE_SIGNATURE="t=1,v1=abc")
    assert response.status_code == 503


def test_updated_before_created_ends_in_the_same_state(
    tenant_a, stripe_on_localstripe, raw_stripe, post_event
):
    subscription = subscribe(raw_stripe, tenant_a.tenant, seats=11)
    updated = make_event("customer.subscription.updated", subscription)
    created = make_event("customer.subscription.created", {**subscription, "status": "incomplete"})

    assert post_event(updated).status_code == 200
    assert _status(tenant_a.tenant) == TenantStatus.ACTIVE
    assert post_event(created).status_code == 200

    # The late "created" (whose body still says incomplete) does not undo anything: the
    # subscription is re-read from Stripe.
    assert _status(tenant_a.tenant) == TenantStatus.ACTIVE
    account = BillingAccount.objects.get(tenant=tenant_a.tenant)
    assert account.subscription_status == "active"
    assert account.seats_paid == 11
    assert StripeEvent.objects.filter(processed_at__isnull=False,
                                      event_id__in=[updated["id"], created["id"]]).count() == 2


def test_event_body_state_is_not_trusted(tenant_a, stripe_on_localstripe, raw_stripe, post_event):
    subscription = subscribe(raw_stripe, tenant_a.tenant)
    forged_state = make_event("customer.subscription.deleted",
                              {**subscription, "status": "canceled"})

    post_event(forged_state)

    # Stripe says the subscription is active: a stale or odd body cannot suspend anyone.
    assert _status(tenant_a.tenant) == TenantStatus.ACTIVE


def test_event_for_one_tenant_never_touches_another(
    tenant_a, tenant_b, stripe_on_localstripe, raw_stripe, post_event
):
    before_b = (Tenant.objects.get(pk=tenant_b.tenant.pk).status,
                BillingAccount.objects.filter(tenant=tenant_b.tenant).values().first())
    subscription = subscribe(raw_stripe, tenant_a.tenant)

    post_event(make_event("customer.subscription.created", subscription))

    assert _status(tenant_a.tenant) == TenantStatus.ACTIVE
    after_b = (Tenant.objects.get(pk=tenant_b.tenant.pk).status,
               BillingAccount.objects.filter(tenant=tenant_b.tenant).values().first())
    assert after_b == before_b
    assert not StripeEvent.objects.filter(tenant=tenant_b.tenant).exists()


def test_metadata_cannot_redirect_an_event_to_another_tenant(
    tenant_a, tenant_b, stripe_on_localstripe, raw_stripe, post_event
):
    """A's customer with B's id in the metadata still updates only A."""
    subscription = subscribe(raw_stripe, tenant_a.tenant)
    event = make_event("customer.subscription.created",
                       {**subscription, "metadata": {"tenant_id": str(tenant_b.tenant.pk)}})

    post_event(event)

    assert StripeEvent.objects.get(event_id=event["id"]).tenant_id == tenant_a.tenant.pk
    assert _status(tenant_b.tenant) == TenantStatus.TRIAL


def test_unknown_customer_is_recorded_without_changes(stripe_on_localstripe, post_event):
    event = make_event("invoice.paid", {"id": "in_nobody", "object": "invoice",
                                        "customer": "cus_nobody"})

    assert post_event(event).status_code == 200

    stored = StripeEvent.objects.get(event_id=event["id"])
    assert stored.processed_at is not None
    assert stored.tenant is None
    assert stored.outcome == "no tenant for this customer"


def test_customer_updated_refreshes_the_billing_email(
    tenant_a, stripe_on_localstripe, raw_stripe, post_event
):
    subscription = subscribe(raw_stripe, tenant_a.tenant)
    customer = raw_stripe.v1.customers.update(subscription["customer"],
                                              params={"email": "finance@alpha.test"})

    post_event(make_event("customer.updated", customer.to_dict()))

    assert BillingAccount.objects.get(tenant=tenant_a.tenant).billing_email == "finance@alpha.test"


def test_stripe_down_while_processing_keeps_the_event_for_retry(
    tenant_a, stripe_unreachable, post_event
):
    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(stripe_customer_id="cus_down")
    event = make_event("invoice.paid", {"id": "in_down", "object": "invoice",
                                        "customer": "cus_down"})

    response = post_event(event)

    assert response.status_code == 200  # stored: Stripe won't need to resend it
    stored = StripeEvent.objects.get(event_id=event["id"])
    assert stored.processed_at is None
    assert stored.attempts >= 1
    assert "cannot be reached" in stored.error
    assert _status(tenant_a.tenant) == TenantStatus.TRIAL


def test_checkout_completed_for_a_plan_change_cancels_the_replaced_subscription(
    tenant_a, stripe_on_localstripe, raw_stripe, post_event
):
    from .helpers import localstripe_plan

    old = subscribe(raw_stripe, tenant_a.tenant, plan_code="starter", seats=7)
    post_event(make_event("customer.subscription.created", old))
    plan = localstripe_plan(raw_stripe, Plan.objects.get(code="growth"))
    new = raw_stripe.v1.subscriptions.create(params={
        "customer": old["customer"], "items": [{"plan": plan, "quantity": 12}],
        "metadata": {"tenant_id": str(tenant_a.tenant.pk), "plan_code": "growth"},
    }).to_dict()
    session = {
        "id": "cs_test_change", "object": "checkout.session", "mode": "subscription",
        "customer": old["customer"], "subscription": new["id"],
        "client_reference_id": str(tenant_a.tenant.pk),
        "metadata": {"tenant_id": str(tenant_a.tenant.pk), "plan_code": "growth",
                     "replaces_subscription": old["id"]},
    }

    post_event(make_event("checkout.session.completed", session))

    assert raw_stripe.v1.subscriptions.retrieve(old["id"]).status == "canceled"
    account = BillingAccount.objects.get(tenant=tenant_a.tenant)
    assert account.stripe_subscription_id == new["id"]
    assert account.plan.code == "growth"
    assert account.seats_paid == 12
    assert _status(tenant_a.tenant) == TenantStatus.ACTIVE
    # The old subscription's deletion event arrives later and changes nothing.
    post_event(make_event("customer.subscription.deleted",
                          raw_stripe.v1.subscriptions.retrieve(old["id"]).to_dict()))
    assert _status(tenant_a.tenant) == TenantStatus.ACTIVE


def test_webhook_is_not_served_on_tenant_hosts(tenant_a, tenant_client, stripe_on_localstripe):
    response = tenant_client(tenant_a).post("/billing/stripe/webhook/", data=b"{}",
                                            content_type="application/json")
    assert response.status_code == 404


def test_processing_retries_with_backoff_while_stripe_is_down():
    from billing.stripe_client import StripeUnavailableError
    from billing.tasks import process_stripe_event, sync_tenant_subscription

    for task in (process_stripe_event, sync_tenant_subscription):
        assert task.autoretry_for == (StripeUnavailableError,)
        assert task.retry_backoff
        assert task.max_retries >= 5


def test_unprocessed_events_are_picked_up_again(tenant_a, stripe_on_localstripe, raw_stripe):
    from datetime import timedelta

    from django.utils import timezone

    from billing.tasks import retry_unprocessed_events

    subscription = subscribe(raw_stripe, tenant_a.tenant)
    event = make_event("customer.subscription.created", subscription)
    StripeEvent.objects.create(event_id=event["id"], type=event["type"], payload=event)
    StripeEvent.objects.filter(event_id=event["id"]).update(
        received_at=timezone.now() - timedelta(hours=1))

    assert retry_unprocessed_events.delay().get() == 1

    assert StripeEvent.objects.get(event_id=event["id"]).processed_at is not None
    assert _status(tenant_a.tenant) == TenantStatus.ACTIVE
