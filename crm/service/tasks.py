"""Service e-mails, sent from Celery after the change committed (safe to run twice)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.service.models import ServiceComment


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def email_public_comment(comment_id: int) -> bool:
    """E-mail a public staff comment to the request's contact, once."""
    comment = (ServiceComment.objects.select_related("request", "request__contact")
               .filter(pk=comment_id, public=True, by_staff=True, emailed_at__isnull=True)
               .first())
    if comment is None or comment.request.contact is None or not comment.request.contact.email:
        return False
    request = comment.request
    send_mail(
        subject=_("[%(number)s] %(subject)s") % {"number": request.number,
                                                  "subject": request.subject},
        message=comment.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[request.contact.email],
    )
    ServiceComment.objects.filter(pk=comment.pk).update(emailed_at=timezone.now())
    return True
