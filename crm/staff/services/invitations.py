"""Invitations: invite by e-mail with a role, resend, revoke, and accept (set a password).

The e-mail is queued after commit with the invitation's id (never sent inside the
transaction); the task builds the link from the row, so no secret travels through the
broker."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.staff.models import Invitation
from crm.staff.services.seats import staff_seat_check, staff_seats_lock
from tenants.users.models import Role, User, UserKind

INVITATION_DAYS = 7
_SALT = "crm.staff.invitation"


def invitation_days() -> int:
    return int(getattr(settings, "STAFF_INVITATION_DAYS", INVITATION_DAYS))


def _salt() -> str:
    # The schema is part of the signature: a link never works on another tenant's host.
    return f"{_SALT}:{connection.schema_name}"


def invitation_token(*, invitation: Invitation) -> str:
    """The token of the invitation's current link (changes on every resend)."""
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=_salt())


def _seat_error(exc: Exception) -> ValidationError:
    upgrade_url = getattr(exc, "upgrade_url", "")
    return ValidationError(f"{exc} {upgrade_url}".strip(), code="seat_limit")


def _queue_email(invitation: Invitation) -> None:
    from crm.staff.tasks import send_invitation

    invitation_id = invitation.pk
    transaction.on_commit(lambda: send_invitation.delay(invitation_id))


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles.")})


def invitation_create(*, email: str, role: str, actor: User, first_name: str = "",
                      last_name: str = "", now: datetime | None = None) -> Invitation:
    """Invite ``email`` as staff with ``role``: an inactive user and an open invitation that
    holds a seat; the e-mail goes out after commit."""
    from billing.services.seats import SeatLimitExceededError

    email = User.objects.normalize_email(email.strip()).lower()
    if not email:
        raise ValidationError({"email": _("Enter an e-mail address.")})
    _check_role(role)
    now = now or timezone.now()
    with transaction.atomic():
        staff_seats_lock()
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            if existing.kind == UserKind.STAFF:
                message = _("%(email)s is already a user of this workspace (reactivate or "
                            "resend their invitation instead).")
            else:
                message = _("%(email)s belongs to a portal member; an administrator can "
                            "make them staff in the user administration.")
            raise ValidationError({"email": message % {"email": email}})
        try:
            staff_seat_check(now=now)
        except SeatLimitExceededError as exc:
            raise _seat_error(exc) from exc
        is_admin = role == Role.ADMIN
        user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip(),
                    kind=UserKind.STAFF, role=role, is_active=False,
                    is_staff=is_admin, is_superuser=is_admin)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        invitation = Invitation.objects.create(
            user=user, invited_by=actor, nonce=secrets.token_urlsafe(24),
            expires_at=now + timedelta(days=invitation_days()),
        )
        audit_event(instance=user, action="user.invited", actor=actor,
                    data={"email": email, "role": role, "expires_at": invitation.expires_at})
        _queue_email(invitation)
    return invitation


def _open_invitation_locked(invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if not locked.is_open:
        raise ValidationError(_("This invitation was already accepted or revoked."))
    return locked


def invitation_resend(*, invitation: Invitation, actor: User,
                      now: datetime | None = None) -> Invitation:
    """A new link (earlier links stop working) with a new expiry; needs a seat again when
    the invitation had expired."""
    from billing.services.seats import SeatLimitExceededError

    now = now or timezone.now()
    with transaction.atomic():
        staff_seats_lock()
        invitation = _open_invitation_locked(invitation)
        try:
            staff_seat_check(excluding_invitation_id=invitation.pk, now=now)
        except SeatLimitExceededError as exc:
            raise _seat_error(exc) from exc
        invitation.nonce = secrets.token_urlsafe(24)
        invitation.expires_at = now + timedelta(days=invitation_days())
        invitation.sent_at = None
        invitation.save(update_fields=["nonce", "expires_at", "sent_at"])
        audit_event(instance=invitation.user, action="invitation.resent", actor=actor,
                    data={"email": invitation.user.email, "expires_at": invitation.expires_at})
        _queue_email(invitation)
    return invitation


def invitation_revoke(*, invitation: Invitation, actor: User,
                      now: datetime | None = None) -> None:
    """Revoke an open invitation: the link stops working and the seat is free. The invitee's
    user row (never signed in, no records) is removed so the address can be invited again;
    should something refer to it, it stays inactive instead."""
    with transaction.atomic():
        invitation = _open_invitation_locked(invitation)
        user = invitation.user
        audit_event(instance=user, action="invitation.revoked", actor=actor,
                    data={"email": user.email, "role": user.role})
        invitation.revoked_at = now or timezone.now()
        invitation.save(update_fields=["revoked_at"])
        if user.last_login is None and not user.is_active:
            try:
                with transaction.atomic():
                    user.delete()
            except ProtectedError:
                pass


def invitation_from_token(*, token: str, now: datetime | None = None) -> Invitation:
    """The open, unexpired invitation behind ``token`` on this tenant's host; a
    ValidationError for a bad, reused, revoked or expired link (one message each)."""
    try:
        payload = signing.loads(token, salt=_salt())
        invitation_id, nonce = int(payload["i"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValidationError(_("This invitation link is not valid."), code="invalid") from exc
    invitation = Invitation.objects.select_related("user").filter(pk=invitation_id).first()
    if invitation is None or not secrets.compare_digest(invitation.nonce, nonce):
        raise ValidationError(_("This invitation link is not valid (a newer one may have "
                                "been sent)."), code="invalid")
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation was already used. Sign in instead."),
                              code="used")
    if invitation.revoked_at is not None:
        raise ValidationError(_("This invitation was revoked."), code="revoked")
    if invitation.expires_at <= (now or timezone.now()):
        raise ValidationError(_("This invitation has expired. Ask an administrator to send "
                                "a new one."), code="expired")
    return invitation


def invitation_accept(*, token: str, password: str, first_name: str | None = None,
                      last_name: str | None = None, now: datetime | None = None) -> User:
    """The invitee sets a password (the validators apply) and becomes an active user; the
    link is used up. Needs the seat the invitation held (it is rechecked, in case the paid
    seats went down meanwhile)."""
    from billing.services.seats import SeatLimitExceededError

    now = now or timezone.now()
    with transaction.atomic():
        staff_seats_lock()
        invitation = invitation_from_token(token=token, now=now)
        invitation = Invitation.objects.select_for_update().select_related("user").get(
            pk=invitation.pk)
        if not invitation.is_open:
            raise ValidationError(_("This invitation was already used. Sign in instead."),
                                  code="used")
        user = invitation.user
        if first_name is not None and first_name.strip():
            user.first_name = first_name.strip()
        if last_name is not None and last_name.strip():
            user.last_name = last_name.strip()
        try:
            password_validation.validate_password(password, user=user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        if not user.is_active:
            try:
                staff_seat_check(excluding_invitation_id=invitation.pk, now=now)
            except SeatLimitExceededError as exc:
                raise ValidationError(
                    _("This workspace has no free seat right now. Ask an administrator to "
                      "add seats, then open the link again."), code="seat_limit") from exc
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active", "first_name", "last_name"])
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
        audit_event(instance=user, action="invitation.accepted", actor=user,
                    data={"email": user.email})
    return user
