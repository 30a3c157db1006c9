"""Inquiry commands: submit (stored verbatim + a Lead, one transaction; e-mails queued after
commit) and send the pending e-mails (acknowledgement, staff notification) from the outbox."""

import logging
import socket
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.core.notifications import notify
from crm.core.numbering import next_number
from crm.leads.models import LeadSource
from crm.leads.services import lead_create
from portal.inquiries import spam
from portal.inquiries.models import Inquiry, InquiryChannel, InquirySettings
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

logger = logging.getLogger(__name__)

REFERENCE_PREFIX = "INQ"
# A pending inquiry younger than this is left to the task queued at commit.
RETRY_AFTER_SECONDS = 60


class InquiryRateLimitedError(Exception):
    """Too many inquiries from this address or e-mail in the last hour."""


def _split_name(name: str) -> tuple[str, str]:
    """"Anna Schmidt" -> ("Anna", "Schmidt"); a name without a space ("王小明") is kept
    whole as the last name (Chinese names are written family name first, unspaced)."""
    first, _sep, last = name.strip().rpartition(" ")
    return (first.strip(), last.strip()) if first else ("", last.strip())


def _lead_message(product_interest: str, message: str) -> str:
    if not product_interest:
        return message
    return f"{_('Product interest')}: {product_interest}\n\n{message}"


@transaction.atomic
def inquiry_submit(
    *,
    name: str,
    email: str,
    message: str,
    company: str = "",
    phone: str = "",
    product_interest: str = "",
    channel: str = InquiryChannel.FORM,
    language: str = "en",
    client_ip: str | None = None,
    origin: str = "",
    user_agent: str = "",
    member: User | None = None,
    inquiry_settings: InquirySettings | None = None,
) -> Inquiry:
    """Store the inquiry as submitted and create its Lead (source: portal inquiry; owner by
    the tenant's assignment rules) in one transaction; the e-mails are queued after commit.

    Raises InquiryRateLimitedError past the tenant's hourly limits (per address, per e-mail) and
    ValidationError (by field) for missing or invalid values."""
    config = inquiry_settings or InquirySettings.load()
    if spam.rate_limited(client_ip=client_ip, email=email, per_address=config.per_address_per_hour,
                         per_email=config.per_email_per_hour):
        raise InquiryRateLimitedError
    inquiry = Inquiry(
        channel=channel, name=name, company=company, email=email, phone=phone,
        product_interest=product_interest, message=message, language=language[:10],
        client_ip=client_ip or None, origin=origin[:200], user_agent=user_agent[:300],
        member=member if member is not None and member.kind == UserKind.MEMBER else None,
    )
    inquiry.full_clean(exclude=["reference", "lead", "member"])
    if not inquiry.name.strip() or not inquiry.message.strip():
        raise ValidationError({field: _("This field is required.")
                               for field in ("name", "message")
                               if not getattr(inquiry, field).strip()})
    first_name, last_name = _split_name(name)
    lead = lead_create(
        actor=None, source=LeadSource.PORTAL_INQUIRY, company=company, first_name=first_name,
        last_name=last_name, email=email, phone=phone,
        message=_lead_message(product_interest, message),
    )
    inquiry.lead = lead
    inquiry.reference = next_number(REFERENCE_PREFIX)
    inquiry.save()
    inquiry_id = inquiry.pk
    transaction.on_commit(lambda: _queue_notifications(inquiry_id))
    return inquiry


def _queue_notifications(inquiry_id: int) -> None:
    """After commit: hand the e-mails to Celery. With the broker down the inquiry stays in
    the outbox (notifications_pending) and the beat task sends it later; never raise here,
    the visitor's submission is already committed."""
    from portal.inquiries.tasks import send_inquiry_notifications

    if not broker_reachable():
        logger.warning("Inquiry %s: broker unreachable, left in the outbox", inquiry_id)
        return
    try:
        # retry=False: fail at once instead of holding the visitor's response while kombu
        # retries a dead broker.
        send_inquiry_notifications.apply_async(args=[inquiry_id], retry=False)
    except Exception:
        _broker_state["down_until"] = time.monotonic() + BROKER_DOWN_SECONDS
        logger.warning("Inquiry %s: broker unreachable, left in the outbox", inquiry_id)


# redis-py retries a refused connection three times with back-off (about 6 s) and kombu
# passes no option to stop it; a visitor must not wait for that. So: a TCP probe of the
# broker (a few hundred microseconds on a LAN, at most PROBE_TIMEOUT), and after a failure
# no attempt for BROKER_DOWN_SECONDS; the outbox and beat cover the gap either way.
PROBE_TIMEOUT = 0.3
BROKER_DOWN_SECONDS = 10.0
BROKER_UP_SECONDS = 5.0
_broker_state: dict[str, float] = {"down_until": 0.0, "up_until": 0.0}


def broker_reachable() -> bool:
    """Whether the Celery broker accepts a TCP connection (remembered for a few seconds)."""
    from config.celery import app

    now = time.monotonic()
    if now < _broker_state["down_until"]:
        return False
    if now < _broker_state["up_until"]:
        return True
    if app.conf.task_always_eager:
        return True
    broker = app.connection_for_write()
    host, port = broker.hostname, broker.port
    if not host or not port or broker.transport_cls not in ("redis", "rediss", "amqp"):
        return True  # sockets, sentinels, in-memory transports: no simple probe, just try
    try:
        with socket.create_connection((host, int(port)), timeout=PROBE_TIMEOUT):
            pass
    except OSError:
        _broker_state["down_until"] = now + BROKER_DOWN_SECONDS
        return False
    _broker_state["up_until"] = now + BROKER_UP_SECONDS
    return True


def _staff_recipients(inquiry: Inquiry) -> list[User]:
    """The lead's owner; for a lead in the unassigned queue, everyone who may assign it."""
    if inquiry.lead.owner is not None and inquiry.lead.owner.is_active:
        return [inquiry.lead.owner]
    staff = User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by("id")
    return [user for user in staff if can(user, Capability.ASSIGN_RECORDS)
            and can(user, Capability.MANAGE_SALES)]


def _send_acknowledgement(inquiry: Inquiry, company_name: str) -> None:
    with translation.override(inquiry.language or settings.LANGUAGE_CODE):
        context = {"inquiry": inquiry, "company_name": company_name}
        subject = _("We received your inquiry %(reference)s") % {"reference": inquiry.reference}
        body = render_to_string("portal/inquiries/email/acknowledgement.txt", context)
    send_mail(subject, body, None, [inquiry.email])


def _notify_staff(inquiry: Inquiry, company_name: str, copy_to: str) -> None:
    recipients = _staff_recipients(inquiry)
    url = f"/crm/leads/{inquiry.lead_id}/"
    message = _("New portal inquiry %(reference)s from %(name)s") % {
        "reference": inquiry.reference, "name": inquiry.name}
    notify(recipients=recipients, actor=None, verb="portal_inquiry", message=message,
           target=inquiry.lead, url=url)
    addresses = [user.email for user in recipients if user.email]
    if copy_to:
        addresses.append(copy_to)
    if addresses:
        body = render_to_string("portal/inquiries/email/staff_notification.txt",
                                {"inquiry": inquiry, "company_name": company_name, "url": url})
        send_mail(message, body, None, list(dict.fromkeys(addresses)))


def inquiry_notifications_send(*, inquiry_id: int) -> bool:
    """Send whatever of the inquiry's two e-mails is still unsent; True when none is left.

    Safe to run twice and concurrently: the row is locked (others skip it) and each e-mail
    is marked sent in the same transaction that sent it. A mail server failure leaves the
    rest pending for the next run (the beat task)."""
    with transaction.atomic():
        inquiry = (Inquiry.objects.select_for_update(skip_locked=True, of=("self",))
                   .select_related("lead__owner")
                   .filter(pk=inquiry_id, notifications_pending=True).first())
        if inquiry is None:
            return True
        tenant = getattr(connection, "tenant", None)
        company_name = str(getattr(tenant, "name", "") or "")
        config = InquirySettings.load()
        inquiry.notify_attempts += 1
        try:
            if inquiry.acknowledged_at is None:
                _send_acknowledgement(inquiry, company_name)
                inquiry.acknowledged_at = timezone.now()
            if inquiry.staff_notified_at is None:
                with transaction.atomic():  # the in-app notification goes with the e-mail
                    _notify_staff(inquiry, company_name, config.notify_email)
                inquiry.staff_notified_at = timezone.now()
        except Exception as error:  # SMTP down, refused, DNS...: retried by beat
            logger.warning("Inquiry %s: e-mail failed: %s", inquiry.reference, error)
            inquiry.last_notify_error = str(error)[:300]
            inquiry.save(update_fields=["notify_attempts", "last_notify_error",
                                        "acknowledged_at", "staff_notified_at"])
            return False
        inquiry.notifications_pending = False
        inquiry.last_notify_error = ""
        inquiry.save(update_fields=["notify_attempts", "last_notify_error", "acknowledged_at",
                                    "staff_notified_at", "notifications_pending"])
        return True


def pending_notifications_send(*, limit: int = 200) -> int:
    """Send the outbox's pending inquiries (oldest first); the number sent completely."""
    cutoff = timezone.now() - timedelta(seconds=RETRY_AFTER_SECONDS)
    ids = list(Inquiry.objects.filter(notifications_pending=True, created_at__lt=cutoff)
               .order_by("created_at").values_list("id", flat=True)[:limit])
    return sum(inquiry_notifications_send(inquiry_id=inquiry_id) for inquiry_id in ids)
