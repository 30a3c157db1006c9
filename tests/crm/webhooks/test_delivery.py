"""Deliveries: signed bodies checked by a real receiver on loopback with the README's recipe,
after commit only, retries with backoff (travelling in time, never sleeping), disabling after
24 hours of failures with an e-mail to the admins, and beat picking up rows the broker
never took."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from kombu.exceptions import OperationalError

from crm.core.events import DomainEvent, emit
from crm.webhooks import tasks
from crm.webhooks.crypto import decrypt_secret
from crm.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from crm.webhooks.services import (
    deliveries_create_for_event,
    delivery_attempt,
    endpoint_create,
    retry_delay,
)
from tests.crm.accounts.factories import make_account
from tests.crm.webhooks.conftest import documented_verifier


def _endpoint(tenant, url: str, events: list[str]):
    return endpoint_create(actor=tenant.users["admin"], url=url, events=events)


def _event(event_type: str = "account.created", **data) -> DomainEvent:
    return DomainEvent(type=event_type, data=data or {"account": {"id": 1}},
                       schema_name="t_alpha")


def test_delivery_is_signed_and_verifies_with_the_documented_recipe(
    tenant_a, in_tenant, receiver, django_capture_on_commit_callbacks
):
    verify = documented_verifier()
    with in_tenant(tenant_a):
        created = _endpoint(tenant_a, receiver.url, ["account.created"])
        with django_capture_on_commit_callbacks(execute=True):
            account = make_account(name="Signed Ltd")
        assert len(receiver.requests) == 1
        request = receiver.requests[0]
        header = request.headers["Northwind-Signature"]
        assert verify(created.secret, request.body, header)
        assert not verify("whsec_wrong", request.body, header)
        assert not verify(created.secret, request.body + b" ", header)
        assert not verify(created.secret, request.body, header.replace("t=", "t=1"))
        body = json.loads(request.body)
        assert set(body) == {"id", "type", "created", "data"}
        assert body["type"] == "account.created"
        assert body["id"].startswith("evt_")
        assert body["data"]["account"] == {**body["data"]["account"], "id": account.pk,
                                           "name": "Signed Ltd"}
        assert request.headers["Host"] == f"127.0.0.1:{receiver.port}"
        assert request.path == "/hooks/crm?source=test"
        delivery = WebhookDelivery.objects.get(endpoint=created.endpoint)
        assert delivery.status == DeliveryStatus.SUCCEEDED
        assert delivery.response_status == 200
        assert delivery.response_body == '{"ok": true}'
        assert delivery.duration_ms is not None
        assert delivery.attempts == 1


def test_the_secret_is_stored_encrypted(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        created = _endpoint(tenant_a, "https://erp.example.com/hook", ["lead.created"])
        stored = WebhookEndpoint.objects.get(pk=created.endpoint.pk)
        assert created.secret not in stored.secret_encrypted
        assert decrypt_secret(stored.secret_encrypted) == created.secret
        assert stored.secret_hint == created.secret[:10]


def _create_account_then_roll_back() -> None:
    with transaction.atomic():
        make_account(name="Never Ltd")
        raise RuntimeError("roll back")


def test_a_rolled_back_transaction_sends_nothing(tenant_a, in_tenant, receiver,
                                                 django_capture_on_commit_callbacks):
    with in_tenant(tenant_a):
        _endpoint(tenant_a, receiver.url, ["account.created"])
        with django_capture_on_commit_callbacks(execute=True) as callbacks, \
                pytest.raises(RuntimeError):
            _create_account_then_roll_back()
        assert callbacks == []
        assert not WebhookDelivery.objects.exists()
        assert receiver.requests == []


def test_nothing_is_stored_or_sent_before_commit(tenant_a, in_tenant, receiver,
                                                 django_capture_on_commit_callbacks):
    with in_tenant(tenant_a):
        _endpoint(tenant_a, receiver.url, ["lead.created"])
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            emit("lead.created", data={"lead": {"id": 7}})
            assert not WebhookDelivery.objects.exists()
        assert receiver.requests == []
        # The commit: the event is dispatched, the delivery stored and (after its own
        # commit) sent.
        with django_capture_on_commit_callbacks(execute=True):
            for callback in callbacks:
                callback()
        assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED
        assert len(receiver.requests) == 1


def test_endpoints_get_only_the_events_they_subscribed_to(tenant_a, in_tenant, receiver):
    with in_tenant(tenant_a):
        leads = _endpoint(tenant_a, receiver.url, ["lead.created"]).endpoint
        accounts = _endpoint(tenant_a, receiver.url, ["account.created"]).endpoint
        off = _endpoint(tenant_a, receiver.url, ["lead.created"]).endpoint
        WebhookEndpoint.objects.filter(pk=off.pk).update(is_active=False)
        event = _event("lead.created")
        ids = deliveries_create_for_event(event=event)
        assert list(WebhookDelivery.objects.filter(pk__in=ids)
                    .values_list("endpoint_id", flat=True)) == [leads.pk]
        # The same event dispatched twice stores nothing new.
        deliveries_create_for_event(event=event)
        assert WebhookDelivery.objects.filter(event_id=event.id).count() == 1
        assert not WebhookDelivery.objects.filter(endpoint=accounts).exists()


def test_failed_deliveries_back_off_exponentially_for_24_hours_then_the_endpoint_is_off(
    tenant_a, in_tenant, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500]
    receiver.answer = b"x" * 5000
    with in_tenant(tenant_a):
        endpoint = _endpoint(tenant_a, receiver.url, ["account.created"]).endpoint
        [delivery_id] = deliveries_create_for_event(event=_event())
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        start = delivery.created_at

        first = delivery_attempt(delivery_id=delivery_id, now=start)
        assert first.attempts == 1
        assert first.status == DeliveryStatus.PENDING
        assert first.response_status == 500
        assert len(first.response_body) == 1000  # truncated
        assert first.next_attempt_at == start + timedelta(minutes=1)
        # Not due yet: nothing is sent.
        assert delivery_attempt(delivery_id=delivery_id, now=start + timedelta(seconds=30)) \
            is None
        assert len(receiver.requests) == 1

        now, gaps = first.next_attempt_at, []
        previous = first.next_attempt_at
        mail.outbox.clear()
        while True:
            with django_capture_on_commit_callbacks(execute=False) as callbacks:
                result = delivery_attempt(delivery_id=delivery_id, now=now)
            endpoint.refresh_from_db()
            if not endpoint.is_active:
                break
            assert callbacks == []
            gaps.append(result.next_attempt_at - now)
            previous, now = now, result.next_attempt_at
        assert gaps[:5] == [timedelta(minutes=m) for m in (2, 4, 8, 16, 32)]
        assert max(gaps) == timedelta(hours=4) == retry_delay(50)
        assert now - start >= timedelta(hours=24)
        assert previous - start < timedelta(hours=24)
        assert endpoint.disabled_at == now
        assert endpoint.failing_since == start
        assert result.status == DeliveryStatus.FAILED
        assert result.next_attempt_at is None
        assert len(receiver.requests) == result.attempts
        # The admins hear about it, by e-mail after commit.
        assert mail.outbox == []
        for callback in callbacks:
            callback()
        assert [message.to for message in mail.outbox] == [[tenant_a.users["admin"].email]]
        assert receiver.url in mail.outbox[0].body


def test_a_success_ends_the_failure_run(tenant_a, in_tenant, receiver):
    receiver.statuses = [503, 200]
    with in_tenant(tenant_a):
        endpoint = _endpoint(tenant_a, receiver.url, ["account.created"]).endpoint
        [delivery_id] = deliveries_create_for_event(event=_event())
        start = WebhookDelivery.objects.get(pk=delivery_id).created_at
        failed = delivery_attempt(delivery_id=delivery_id, now=start)
        endpoint.refresh_from_db()
        assert endpoint.failing_since == start
        done = delivery_attempt(delivery_id=delivery_id, now=failed.next_attempt_at)
        assert done.status == DeliveryStatus.SUCCEEDED
        assert done.attempts == 2
        endpoint.refresh_from_db()
        assert endpoint.failing_since is None
        assert endpoint.is_active
        # Sent once: a second attempt of a delivered row does nothing.
        assert delivery_attempt(delivery_id=delivery_id,
                                now=failed.next_attempt_at + timedelta(hours=1)) is None
        assert len(receiver.requests) == 2


def test_redirects_are_not_followed(tenant_a, in_tenant, receiver):
    receiver.statuses = [302]
    with in_tenant(tenant_a):
        _endpoint(tenant_a, receiver.url, ["account.created"])
        [delivery_id] = deliveries_create_for_event(event=_event())
        result = delivery_attempt(delivery_id=delivery_id)
        assert result.status == DeliveryStatus.PENDING
        assert result.response_status == 302
        assert "Redirects" in result.error
        assert len(receiver.requests) == 1


def test_beat_sends_rows_the_broker_did_not_take(tenant_a, in_tenant, receiver, monkeypatch,
                                                 django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis")

    with in_tenant(tenant_a):
        _endpoint(tenant_a, receiver.url, ["account.created"])
        with monkeypatch.context() as patch:
            patch.setattr(tasks.deliver_webhook, "delay", broker_down)
            with django_capture_on_commit_callbacks(execute=True):
                make_account(name="Broker Down Ltd")
        assert receiver.requests == []
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING
        assert delivery.attempts == 0
        assert tasks.deliver_due_webhooks() == 1
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.SUCCEEDED
        assert len(receiver.requests) == 1
        assert tasks.deliver_due_webhooks() == 0


def test_events_of_one_tenant_never_reach_another_tenants_endpoints(
    tenant_a, tenant_b, in_tenant, receiver, django_capture_on_commit_callbacks
):
    with in_tenant(tenant_a):
        _endpoint(tenant_a, receiver.url, ["account.created"])
    with in_tenant(tenant_b), django_capture_on_commit_callbacks(execute=True):
        make_account(name="Beta Only Ltd")
    with in_tenant(tenant_a):
        assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []
