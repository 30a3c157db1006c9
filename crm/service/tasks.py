"""Service e-mails, sent from Celery after the change committed (safe to run twice)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.service.members import COMMENT_EMAIL, customer_recipients
from crm.service.models import ServiceComment


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def email_public_comment(comment_id: int) -> bool:
    """E-mail a public staff comment to the customer, once: the request's contact, or where
    the portal says (crm.service.members.customer_recipients) its members who want it.
    Internal comments never go out. One message per address (nobody sees the others)."""
    comment = (ServiceComment.objects.select_related("request", "request__contact")
               .filter(pk=comment_id, public=True, by_staff=True, emailed_at__isnull=True)
               .first())
    if comment is None:
        return False
    request = comment.request
    recipients = customer_recipients(request, kind=COMMENT_EMAIL)
    if not recipients:
        return False
    subject = _("[%(number)s] %(subject)s") % {"number": request.number,
                                                "subject": request.subject}
    send_mass_mail([(subject, comment.body, settings.DEFAULT_FROM_EMAIL, [address])
                    for address in recipients])
    ServiceComment.objects.filter(pk=comment.pk).update(emailed_at=timezone.now())
    return True
