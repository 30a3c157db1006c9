"""Inquiry e-mails: sent right after commit, and retried by beat from the outbox."""

from celery import shared_task

from portal.inquiries import services


@shared_task(name="portal.inquiries.tasks.send_inquiry_notifications")
def send_inquiry_notifications(inquiry_id: int) -> bool:
    return services.inquiry_notifications_send(inquiry_id=inquiry_id)


@shared_task(name="portal.inquiries.tasks.send_pending_inquiry_notifications")
def send_pending_inquiry_notifications() -> int:
    """Per tenant (beat): whatever the broker or the mail server kept from going out."""
    return services.pending_notifications_send()
