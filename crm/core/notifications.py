"""The one notification path: in-app notifications, e-mailed from Celery after commit."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from crm.core.models import Notification
from tenants.users.models import User


def notify(
    *, recipients: Iterable[User], actor: User | None, verb: str, message: str,
    target: models.Model | None = None, url: str = "", email: bool = False,
) -> list[Notification]:
    """Notify each recipient (never the actor of their own action); e-mail after commit."""
    content_type = ContentType.objects.get_for_model(type(target)) if target is not None else None
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    if actor is not None:
        unique.pop(actor.pk, None)
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user, actor=actor, verb=verb, message=message[:500], url=url,
                content_type=content_type, object_id=target.pk if target is not None else None,
            )
            for user in unique.values()
        ]
    )
    if email and notifications:
        ids = [n.pk for n in notifications]
        transaction.on_commit(lambda: _queue_emails(ids))
    return notifications


def _queue_emails(notification_ids: list[int]) -> None:
    from crm.core.tasks import email_notifications

    try:
        email_notifications.delay(notification_ids)
    except Exception:  # broker down: the in-app notification is there; beat retries later
        import logging

        logging.getLogger(__name__).warning("Could not queue notification e-mails")


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
