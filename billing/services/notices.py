"""Messages to a tenant's billing admins (in-app and e-mail), sent after commit from Celery
so a failed mail server never rolls back a status change."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django_tenants.utils import tenant_context

from tenants.models import Tenant
from tenants.urls_util import tenant_url
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

logger = logging.getLogger(__name__)

BILLING_PATH = "/crm/settings/billing/"


def billing_admins() -> list[User]:
    """Active staff of the current schema who may manage billing."""
    staff = User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by("pk")
    return [user for user in staff if can(user, Capability.MANAGE_BILLING)]


def admins_notify_later(*, tenant: Tenant, verb: str, subject: str, message: str) -> None:
    """Queue the notice once the surrounding transaction commits."""
    tenant_id = tenant.pk

    def queue() -> None:
        from billing.tasks import notify_billing_admins

        try:
            notify_billing_admins.delay(tenant_id, verb, subject, message)
        except Exception:  # broker down: the status change stands; log for the operator
            logger.exception("Could not queue billing notice %s for tenant %s", verb, tenant_id)

    transaction.on_commit(queue)


def admins_notify_now(*, tenant_id: int, verb: str, subject: str, message: str) -> int:
    """In-app notification and e-mail to each billing admin; returns how many were told."""
    from crm.core.notifications import notify

    tenant = Tenant.objects.get(pk=tenant_id)
    url = tenant_url(tenant, BILLING_PATH)
    with tenant_context(tenant):
        admins = billing_admins()
        notify(recipients=admins, actor=None, verb=verb, message=message, url=url)
        emails = [user.email for user in admins]
    if emails:
        send_mail(subject=subject, message=f"{message}\n\n{url}",
                  from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=emails)
    return len(emails)
