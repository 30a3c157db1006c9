"""Portal e-mails, queued after commit with ids (never ORM objects or secrets); each sends
at most once (``sent_at`` or the row's state). The tenant travels with the task
(tenant-schemas-celery)."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from portal.models import PortalInvitation, PortalMembership, PortalRegistration
from tenants.urls_util import tenant_url


def _send(template: str, context: dict, recipient: str, language: str = "") -> None:
    with translation.override(language or None):
        subject = render_to_string(f"portal/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"portal/email/{template}.txt", context)
    send_mail(subject=subject, message=body, from_email=settings.DEFAULT_FROM_EMAIL,
              recipient_list=[recipient])


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def send_member_invitation(invitation_id: int) -> bool:
    from portal.services.memberships import member_invitation_token

    with transaction.atomic():
        invitation = (PortalInvitation.objects.select_for_update(of=("self",))
                      .select_related("membership__user", "membership__account", "invited_by")
                      .filter(pk=invitation_id, sent_at__isnull=True, accepted_at__isnull=True,
                              revoked_at__isnull=True).first())
        if invitation is None:
            return False
        tenant = connection.tenant
        link = tenant_url(tenant, reverse("portal:invitation_accept",
                                          args=[member_invitation_token(invitation=invitation)]))
        user = invitation.membership.user
        _send("invitation", {"invitation": invitation, "link": link, "tenant": tenant,
                             "account": invitation.membership.account,
                             "inviter": invitation.invited_by}, user.email, user.language)
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def send_access_granted(membership_id: int) -> bool:
    membership = (PortalMembership.objects.select_related("user", "account")
                  .filter(pk=membership_id, is_active=True, user__is_active=True).first())
    if membership is None:
        return False
    tenant = connection.tenant
    _send("access_granted", {"membership": membership, "tenant": tenant,
                             "link": tenant_url(tenant, reverse("portal:dashboard"))},
          membership.user.email, membership.user.language)
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def send_registration_verification(registration_id: int) -> bool:
    from portal.models import RegistrationStatus
    from portal.services.registrations import registration_token

    registration = PortalRegistration.objects.filter(
        pk=registration_id, status=RegistrationStatus.UNVERIFIED).first()
    if registration is None:
        return False
    tenant = connection.tenant
    link = tenant_url(tenant, reverse("portal:register_verify",
                                      args=[registration_token(registration=registration)]))
    _send("verify", {"registration": registration, "link": link, "tenant": tenant},
          registration.email, registration.language)
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def send_registration_decision(registration_id: int) -> bool:
    from portal.models import RegistrationStatus

    registration = PortalRegistration.objects.filter(
        pk=registration_id, status__in=[RegistrationStatus.APPROVED,
                                        RegistrationStatus.REJECTED]).first()
    if registration is None:
        return False
    tenant = connection.tenant
    template = ("registration_approved" if registration.status == RegistrationStatus.APPROVED
                else "registration_rejected")
    _send(template, {"registration": registration, "tenant": tenant,
                     "link": tenant_url(tenant, reverse("portal:login"))},
          registration.email, registration.language)
    return True
