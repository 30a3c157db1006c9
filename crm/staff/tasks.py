"""E-mails of user administration, queued after commit with ids (never ORM objects). The
tenant travels with the task (tenant-schemas-celery)."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from crm.staff.models import Invitation
from tenants.urls_util import tenant_url
from tenants.users.models import User


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def send_invitation(invitation_id: int) -> bool:
    """E-mail the invitation's current link once (a repeat run sends nothing)."""
    from crm.staff.services.invitations import invitation_token

    with transaction.atomic():
        invitation = (Invitation.objects.select_for_update(of=("self",))
                      .select_related("user", "invited_by")
                      .filter(pk=invitation_id, sent_at__isnull=True, accepted_at__isnull=True,
                              revoked_at__isnull=True).first())
        if invitation is None:
            return False
        tenant = connection.tenant
        link = tenant_url(tenant, reverse("staff:invitation_accept",
                                          args=[invitation_token(invitation=invitation)]))
        context = {"invitation": invitation, "link": link, "tenant": tenant,
                   "inviter": invitation.invited_by}
        send_mail(
            subject=render_to_string("crm/staff/email/invitation_subject.txt", context).strip(),
            message=render_to_string("crm/staff/email/invitation.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[invitation.user.email],
        )
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def send_password_reset(user_id: int) -> bool:
    """Django's standard reset e-mail, with links on the tenant's own host."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    form = PasswordResetForm(data={"email": user.email})
    if not form.is_valid():
        return False
    tenant = connection.tenant
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    form.save(domain_override=f"{tenant.primary_host}{port}",
              use_https=settings.PLATFORM_SCHEME == "https",
              from_email=settings.DEFAULT_FROM_EMAIL)
    return True
