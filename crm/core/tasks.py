from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from crm.core.models import Notification


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail notifications not yet e-mailed (safe to run twice)."""
    sent = 0
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient")
    for notification in pending:
        send_mail(
            subject=notification.message[:78],
            message=f"{notification.message}\n\n{notification.url}".strip(),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
        )
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
