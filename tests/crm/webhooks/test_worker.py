"""On a real Celery worker: a committed event is delivered, signed, by the worker process; a
rolled-back one never is. The rows are committed (the worker has its own connection), so
this test cleans up after itself."""

import json
import time

import pytest
from django.conf import settings
from django.db import transaction
from django_tenants.utils import tenant_context

from crm.core.events import emit
from crm.core.models import AuditEntry
from crm.webhooks import tasks
from crm.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from crm.webhooks.services import endpoint_create
from tests.crm.webhooks.conftest import documented_verifier


def _wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def _emit_then_roll_back() -> None:
    with transaction.atomic():
        emit("lead.created", data={"lead": {"id": 1, "company": "Rolled Back"}})
        raise RuntimeError("roll back")


@pytest.mark.worker
def test_a_real_worker_delivers_committed_events_only(
    django_db_blocker, celery_worker_queue, receiver, monkeypatch
):
    # The worker listens on its private queue only.
    monkeypatch.setattr(tasks.deliver_webhook, "queue", celery_worker_queue, raising=False)
    monkeypatch.setattr(tasks.deliver_webhook, "_exec_options", None, raising=False)
    alpha = settings._TEST_TENANTS["a"].tenant
    with django_db_blocker.unblock(), tenant_context(alpha):
        created = endpoint_create(actor=None, url=receiver.url, events=["lead.created"])
        try:
            with pytest.raises(RuntimeError):
                _emit_then_roll_back()
            with transaction.atomic():
                committed = emit("lead.created", data={"lead": {"id": 2, "company": "Kept"}})
            _wait_for(lambda: len(receiver.requests) >= 1)
            _wait_for(lambda: WebhookDelivery.objects.filter(
                event_id=committed.id, status=DeliveryStatus.SUCCEEDED).exists())
            [request] = receiver.requests
            body = json.loads(request.body)
            assert body["id"] == committed.id
            assert body["data"]["lead"]["company"] == "Kept"
            assert documented_verifier()(created.secret, request.body,
                                         request.headers["Northwind-Signature"])
            assert WebhookDelivery.objects.filter(endpoint=created.endpoint).count() == 1
        finally:
            WebhookEndpoint.objects.filter(pk=created.endpoint.pk).delete()
            AuditEntry.objects.filter(action__startswith="webhook.",
                                      object_id=created.endpoint.pk).delete()
