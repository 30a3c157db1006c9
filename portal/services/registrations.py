"""Self-registration: a visitor asks for access (where the tenant allows it), verifies the
e-mail address, then waits until staff approve and link it to a contact (a contact or
account matching the e-mail is only suggested, never linked automatically) or reject it.

No user exists before approval; the chosen password is kept as a hash on the registration
and wiped once it is decided. An address that already has a user gets no registration and
no e-mail, and the visitor sees the same answer (no address probing)."""

from datetime import datetime, timedelta

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Account, Contact
from crm.accounts.selectors import account_is_visible
from crm.accounts.services import contact_create
from crm.core.audit import audit_event
from crm.core.notifications import notify
from portal.models import (
    MemberRole,
    PortalMembership,
    PortalRegistration,
    RegistrationStatus,
    SelfRegistration,
)
from portal.services._links import link_payload, link_token, new_nonce, nonce_matches
from portal.settings_selectors import portal_settings
from tenants.users.models import Role, User, UserKind
from tenants.users.permissions import Capability, can

VERIFICATION_DAYS = 3
_PURPOSE = "registration"


def registration_token(*, registration: PortalRegistration) -> str:
    return link_token(purpose=_PURPOSE, row_id=registration.pk,
                      nonce=registration.verification_nonce)


def _queue(task_name: str, row_id: int) -> None:
    from portal import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.delay(row_id))


def registration_submit(*, email: str, password: str, last_name: str, company: str,
                        first_name: str = "", phone: str = "", language: str = "",
                        now: datetime | None = None) -> PortalRegistration | None:
    """Record a request for portal access and queue the verification e-mail. None (and
    nothing sent) when the address already has a user or a registration waiting for staff.
    Refused while the tenant lets nobody register."""
    if portal_settings().self_registration != SelfRegistration.APPROVAL:
        raise PermissionDenied(_("This portal does not accept registrations."))
    email = User.objects.normalize_email((email or "").strip()).lower()
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = _("Enter an e-mail address.")
    if not (last_name or "").strip():
        errors["last_name"] = _("Enter your name.")
    if not (company or "").strip():
        errors["company"] = _("Enter your company.")
    if errors:
        raise ValidationError(errors)
    probe = User(email=email, first_name=first_name, last_name=last_name)
    try:
        password_validation.validate_password(password, user=probe)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    now = now or timezone.now()
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            return None
        existing = (PortalRegistration.objects.select_for_update()
                    .filter(email__iexact=email, status__in=[RegistrationStatus.UNVERIFIED,
                                                             RegistrationStatus.PENDING])
                    .first())
        if existing is not None and existing.status == RegistrationStatus.PENDING:
            return None
        registration = existing or PortalRegistration(email=email)
        registration.first_name = first_name.strip()
        registration.last_name = last_name.strip()
        registration.company = company.strip()
        registration.phone = phone.strip()
        registration.language = language if language in {"en", "zh-hans"} else ""
        registration.password_hash = make_password(password)
        registration.verification_nonce = new_nonce()  # earlier links stop working
        registration.verification_expires_at = now + timedelta(days=VERIFICATION_DAYS)
        registration.full_clean(exclude=["password_hash", "verification_nonce"])
        registration.save()
        _queue("send_registration_verification", registration.pk)
    return registration


def registration_verify(*, token: str, now: datetime | None = None) -> PortalRegistration:
    """The visitor opened the verification link: the registration waits for staff, who are
    told in the CRM. Opening it again changes nothing."""
    now = now or timezone.now()
    payload = link_payload(purpose=_PURPOSE, token=token)
    invalid = ValidationError(_("This verification link is not valid."), code="invalid")
    if payload is None:
        raise invalid
    with transaction.atomic():
        registration = PortalRegistration.objects.select_for_update().filter(
            pk=payload[0]).first()
        if registration is None or not nonce_matches(registration.verification_nonce,
                                                     payload[1]):
            raise invalid
        if registration.status != RegistrationStatus.UNVERIFIED:
            return registration
        if registration.verification_expires_at <= now:
            raise ValidationError(_("This verification link has expired. Register again."),
                                  code="expired")
        registration.status = RegistrationStatus.PENDING
        registration.verified_at = now
        registration.save(update_fields=["status", "verified_at"])
        audit_event(instance=registration, action="portal.registration_verified", actor=None,
                    data={"email": registration.email, "company": registration.company})
        approvers = User.objects.filter(kind=UserKind.STAFF, is_active=True,
                                        role__in=[Role.ADMIN, Role.MANAGER])
        notify(recipients=list(approvers), actor=None, verb="portal.registration",
               message=_("%(email)s (%(company)s) asks for portal access.")
               % {"email": registration.email, "company": registration.company},
               target=registration, url="/crm/portal/registrations/")
    return registration


def _require_approver(actor: User) -> None:
    if not can(actor, Capability.INVITE_PORTAL_MEMBERS):
        raise PermissionDenied(_("You may not decide portal registrations."))


def _locked_pending(registration: PortalRegistration) -> PortalRegistration:
    locked = PortalRegistration.objects.select_for_update().get(pk=registration.pk)
    if locked.status != RegistrationStatus.PENDING:
        raise ValidationError(_("This registration is not waiting for a decision."))
    return locked


def registration_approve(*, registration: PortalRegistration, actor: User,
                         contact: Contact | None = None, account: Account | None = None,
                         role: str = MemberRole.MEMBER,
                         now: datetime | None = None) -> PortalMembership:
    """Approve a verified registration and link it to ``contact`` (one the approver can
    see), or to a new contact of ``account`` created from the registration's details. The
    member can sign in with the password they chose; they are told by e-mail."""
    _require_approver(actor)
    if role not in MemberRole.values:
        raise ValidationError({"role": _("Choose customer admin or member.")})
    if (contact is None) == (account is None):
        raise ValidationError(_("Choose a contact, or an account to create the contact at."))
    target_account = contact.account if contact is not None else account
    assert target_account is not None
    if not account_is_visible(viewer=actor, account=target_account):
        raise PermissionDenied(_("You cannot see this account."))
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_pending(registration)
        if contact is None:
            contact = contact_create(actor=actor, account=target_account,
                                     first_name=locked.first_name, last_name=locked.last_name,
                                     email=locked.email, phone=locked.phone)
        user = User.objects.select_for_update().filter(email__iexact=locked.email).first()
        if user is not None and user.kind != UserKind.MEMBER:
            raise ValidationError(_("%(email)s belongs to a staff user.")
                                  % {"email": locked.email})
        if user is None:
            user = User(email=locked.email, kind=UserKind.MEMBER, role="", is_active=True,
                        first_name=locked.first_name, last_name=locked.last_name,
                        phone=locked.phone, language=locked.language)
            user.password = locked.password_hash
            user.full_clean(exclude=["password"])
            user.save()
        membership, _created = PortalMembership.objects.update_or_create(
            user=user, account=target_account,
            defaults={"contact": contact, "role": role, "is_active": True,
                      "created_by": actor})
        locked.status = RegistrationStatus.APPROVED
        locked.decided_at = now
        locked.decided_by = actor
        locked.membership = membership
        locked.password_hash = ""
        locked.save(update_fields=["status", "decided_at", "decided_by", "membership",
                                   "password_hash"])
        audit_event(instance=locked, action="portal.registration_approved", actor=actor,
                    data={"email": locked.email, "account": target_account.pk,
                          "contact": contact.pk, "role": role})
        _queue("send_registration_decision", locked.pk)
    return membership


def registration_reject(*, registration: PortalRegistration, actor: User, reason: str = "",
                        now: datetime | None = None) -> PortalRegistration:
    """Refuse a registration (the visitor is told, with the reason if one is given)."""
    _require_approver(actor)
    with transaction.atomic():
        locked = _locked_pending(registration)
        locked.status = RegistrationStatus.REJECTED
        locked.decided_at = now or timezone.now()
        locked.decided_by = actor
        locked.rejection_reason = (reason or "").strip()[:2000]
        locked.password_hash = ""
        locked.save(update_fields=["status", "decided_at", "decided_by", "rejection_reason",
                                   "password_hash"])
        audit_event(instance=locked, action="portal.registration_rejected", actor=actor,
                    data={"email": locked.email})
        _queue("send_registration_decision", locked.pk)
    return locked
