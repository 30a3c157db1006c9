"""E-mail to portal members when one of their service requests changes status.

A subscriber to ``service_request.status_changed`` (crm.core.events, so after the change
committed) queues ``send_service_request_status`` with ids only; the task e-mails the
request's members (portal.selectors.member_request_recipients: who raised it and the members
at its contact, who still see it and did not turn these e-mails off), never the member who
made the change, with the status and a link, never a staff note. A change is e-mailed once
(``StatusChange.emailed_at``), also when the task runs twice.

Public staff comments are e-mailed by crm.service.tasks.email_public_comment (to the
request's contact, unless the portal member there opted out: the rule the portal registers
with crm.service.members)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_context

from crm.core.events import DomainEvent
from crm.service.models import ServiceRequest, StatusChange
from portal.models import NotificationKind
from portal.selectors import member_request_recipients
from tenants.urls_util import tenant_url

logger = logging.getLogger(__name__)


def queue_status_email(event: DomainEvent) -> None:
    """The subscriber: queue the e-mail task for the event's status change."""
    change_id = event.data.get("status_change")
    if event.schema_name == get_public_schema_name() or not change_id:
        return
    with schema_context(event.schema_name):
        try:
            send_service_request_status.delay(int(change_id))
        except Exception:  # broker down: the change is committed and shown in the portal
            logger.warning("Could not queue the status e-mail of change %s", change_id,
                           exc_info=True)


def _current_tenant() -> Any:
    """The tenant whose schema the connection is on (a worker sets the real one; a schema
    set by name carries only the schema, so its row is read)."""
    tenant = getattr(connection, "tenant", None)
    if tenant is not None and getattr(tenant, "pk", None):
        return tenant
    return get_tenant_model().objects.get(schema_name=connection.schema_name)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def send_service_request_status(change_id: int) -> int:
    """E-mail the request's members about status change ``change_id``, once (the change's
    ``emailed_at``, under a row lock); answers how many e-mails went out."""
    with transaction.atomic():
        change = (StatusChange.objects.select_for_update(of=("self",))
                  .select_related("request").filter(pk=change_id, emailed_at__isnull=True)
                  .first())
        if change is None:
            return 0
        service_request: ServiceRequest = change.request
        tenant = _current_tenant()
        link = tenant_url(tenant, reverse("portal:service_request_detail",
                                          args=[service_request.pk]))
        messages = []
        for member in member_request_recipients(
                service_request, kind=NotificationKind.SERVICE_REQUEST_STATUS,
                exclude_user_id=change.actor_id):
            context = {"service_request": service_request, "link": link, "tenant": tenant,
                       "member": member}
            with translation.override(member.language or None):
                context["status"] = change.get_to_status_display()
                subject = render_to_string("portal/email/service_request_status_subject.txt",
                                           context).strip()
                body = render_to_string("portal/email/service_request_status.txt", context)
            messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [member.email]))
        if messages:
            send_mass_mail(messages)
        change.emailed_at = timezone.now()
        change.save(update_fields=["emailed_at"])
    return len(messages)
