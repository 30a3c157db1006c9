"""E-mail to portal members when one of their service requests changes status.

A subscriber to ``service_request.status_changed`` (crm.core.events, so after the change
committed) queues ``send_service_request_status`` with ids only; the task e-mails the
request's members (portal.selectors.member_request_recipients: who raised it and the members
at its contact, who still see it and did not turn these e-mails off), never the member who
made the change, with the status and a link, never a staff note. Each member gets one
e-mail per status change, also when the task runs twice (a tenant-cache marker per change
and member, set once the message went out).

Public staff comments are e-mailed by crm.service.tasks.email_public_comment (to the
request's contact, unless the portal member there opted out: the rule the portal registers
with crm.service.members)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tenants.utils import get_public_schema_name, schema_context

from crm.core.events import DomainEvent
from crm.service.models import ServiceRequest, StatusChange
from portal.models import NotificationKind
from portal.selectors import member_request_recipients
from tenants.urls_util import tenant_url

logger = logging.getLogger(__name__)
SENT_MARKER_SECONDS = 7 * 24 * 3600


def queue_status_email(event: DomainEvent) -> None:
    """The subscriber: queue the e-mail task for the event's status change."""
    change_id = event.data.get("status_change")
    if event.schema_name == get_public_schema_name() or not change_id:
        return
    with schema_context(event.schema_name):
        try:
            send_service_request_status.delay(int(change_id))
        except Exception:  # broker down: the change is committed and shown in the portal
            logger.warning("Could not queue the status e-mail of change %s", change_id)


def _marker(change_id: int, user_id: int) -> str:
    return f"portal:sr-status-mail:{change_id}:{user_id}"


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def send_service_request_status(change_id: int) -> int:
    """E-mail the request's members about status change ``change_id``; answers how many
    e-mails went out this time."""
    change = StatusChange.objects.select_related("request").filter(pk=change_id).first()
    if change is None:
        return 0
    service_request: ServiceRequest = change.request
    tenant = connection.tenant
    link = tenant_url(tenant, reverse("portal:service_request_detail",
                                      args=[service_request.pk]))
    sent = 0
    for member in member_request_recipients(service_request,
                                            kind=NotificationKind.SERVICE_REQUEST_STATUS,
                                            exclude_user_id=change.actor_id):
        marker = _marker(change.pk, member.pk)
        if cache.get(marker):
            continue
        context = {"service_request": service_request, "change": change, "link": link,
                   "tenant": tenant, "member": member}
        with translation.override(member.language or None):
            context["status"] = change.get_to_status_display()
            subject = render_to_string("portal/email/service_request_status_subject.txt",
                                       context).strip()
            body = render_to_string("portal/email/service_request_status.txt", context)
        send_mail(subject=subject, message=body, from_email=settings.DEFAULT_FROM_EMAIL,
                  recipient_list=[member.email])
        cache.set(marker, 1, SENT_MARKER_SECONDS)
        sent += 1
    return sent
