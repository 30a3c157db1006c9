"""Portal memberships: staff invite a CRM contact (or a customer admin invites a colleague),
the invitee sets a password through a one-time link and is signed in.

An e-mail that already belongs to an active member gets the new account at once (no second
password); an invitee who has not accepted yet gets one more membership and a fresh link
(their earlier links stop working). The e-mail is queued after commit with the row's id."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Account, Contact
from crm.accounts.selectors import account_is_visible
from crm.accounts.services import contact_create
from crm.core.audit import audit_event
from portal.models import MemberRole, PortalInvitation, PortalMembership
from portal.selectors import member_scope
from portal.services._links import link_payload, link_token, new_nonce, nonce_matches
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

INVITATION_DAYS = 7
_PURPOSE = "invitation"


def invitation_days() -> int:
    return int(getattr(settings, "PORTAL_INVITATION_DAYS", INVITATION_DAYS))


@dataclass(frozen=True)
class InviteResult:
    membership: PortalMembership
    # None when the address already belongs to an active member: access was granted at once.
    invitation: PortalInvitation | None


def member_invitation_token(*, invitation: PortalInvitation) -> str:
    """The token of the invitation's link (built again from the row by the e-mail task)."""
    return link_token(purpose=_PURPOSE, row_id=invitation.pk, nonce=invitation.nonce)


def _check_role(role: str) -> None:
    if role not in MemberRole.values:
        raise ValidationError({"role": _("Choose customer admin or member.")})


def _check_may_invite(actor: User, account: Account) -> None:
    """Staff with the capability who see the account, or a customer admin of it."""
    if can(actor, Capability.INVITE_PORTAL_MEMBERS):
        if not account_is_visible(viewer=actor, account=account):
            raise PermissionDenied(_("You cannot see this account."))
        return
    if actor.kind == UserKind.MEMBER and member_scope(actor).sees_everything_of(account.pk):
        return
    raise PermissionDenied(_("You may not invite portal members."))


def _check_not_disabled(user: User) -> None:
    """An inactive user who has a password was disabled (an invitee has none until they
    accept): neither an invitation nor accepting one brings them back."""
    if not user.is_active and user.has_usable_password():
        raise ValidationError({"email": _("%(email)s was disabled; an administrator of the "
                                          "CRM must enable the user again.")
                               % {"email": user.email}}, code="disabled")


def _queue(task_name: str, row_id: int) -> None:
    from portal import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.delay(row_id))


def _membership_for(user: User, *, account: Account, contact: Contact, role: str,
                    actor: User) -> PortalMembership:
    membership = PortalMembership.objects.select_for_update().filter(
        user=user, account=account).first()
    if membership is not None and membership.is_active and user.is_active:
        raise ValidationError({"email": _("%(email)s already has portal access to %(account)s.")
                               % {"email": user.email, "account": account.name}})
    if membership is None:
        membership = PortalMembership(user=user, account=account, created_by=actor)
    membership.contact = contact
    membership.role = role
    membership.is_active = True
    membership.save()
    return membership


def member_invite(*, contact: Contact, role: str, actor: User,
                  now: datetime | None = None) -> InviteResult:
    """Give ``contact`` (by their e-mail address) portal access to the contact's account
    with ``role``: a new member user (inactive until they accept) and a one-time link, or,
    for an existing active member, the membership at once. Staff addresses are refused."""
    _check_role(role)
    account = contact.account
    _check_may_invite(actor, account)
    email = User.objects.normalize_email((contact.email or "").strip()).lower()
    if not email:
        raise ValidationError({"email": _("The contact has no e-mail address.")})
    now = now or timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is not None and user.kind != UserKind.MEMBER:
            raise ValidationError({"email": _("%(email)s belongs to a staff user; staff cannot "
                                              "be portal members.") % {"email": email}})
        if user is not None:
            _check_not_disabled(user)
        if user is None:
            user = User(email=email, kind=UserKind.MEMBER, role="", is_active=False,
                        first_name=contact.first_name, last_name=contact.last_name,
                        phone=contact.phone or contact.mobile)
            user.set_unusable_password()
            user.full_clean(exclude=["password"])
            user.save()
        membership = _membership_for(user, account=account, contact=contact, role=role,
                                     actor=actor)
        audit_event(instance=membership, action="portal.member_invited", actor=actor,
                    data={"email": email, "account": account.pk, "contact": contact.pk,
                          "role": role})
        if user.is_active and user.has_usable_password():
            _queue("send_access_granted", membership.pk)
            return InviteResult(membership=membership, invitation=None)
        # Earlier links of this invitee to this account stop working: the newest e-mail is
        # the one to use (links to other accounts are not this inviter's to withdraw).
        PortalInvitation.objects.filter(membership__user=user, membership__account=account,
                                        accepted_at__isnull=True,
                                        revoked_at__isnull=True).update(revoked_at=now)
        invitation = PortalInvitation.objects.create(
            membership=membership, nonce=new_nonce(), invited_by=actor,
            expires_at=now + timedelta(days=invitation_days()))
        _queue("send_member_invitation", invitation.pk)
    return InviteResult(membership=membership, invitation=invitation)


def member_invite_colleague(*, actor: User, account: Account, email: str, first_name: str,
                            last_name: str, role: str = MemberRole.MEMBER,
                            now: datetime | None = None) -> InviteResult:
    """A customer admin invites a colleague to one of the accounts they administer: the
    account's contact with that e-mail, or a new contact (through the contact service)."""
    if actor.kind != UserKind.MEMBER or not member_scope(actor).sees_everything_of(account.pk):
        raise PermissionDenied(_("Only customer admins of this account may invite colleagues."))
    email = User.objects.normalize_email((email or "").strip()).lower()
    if not email:
        raise ValidationError({"email": _("Enter an e-mail address.")})
    with transaction.atomic():
        contact = (Contact.objects.filter(account=account, email__iexact=email)
                   .order_by("pk").first())
        if contact is None:
            # actor=None: the system creates the contact on the customer's behalf; the audit
            # entry below names the customer admin.
            contact = contact_create(actor=None, account=account, first_name=first_name.strip(),
                                     last_name=last_name.strip() or email.split("@")[0],
                                     email=email)
        return member_invite(contact=contact, role=role, actor=actor, now=now)


def member_invitation_from_token(*, token: str, now: datetime | None = None
                                 ) -> PortalInvitation:
    """The open, unexpired invitation behind ``token`` on this tenant's host; a
    ValidationError (one message per reason) otherwise."""
    payload = link_payload(purpose=_PURPOSE, token=token)
    if payload is None:
        raise ValidationError(_("This invitation link is not valid."), code="invalid")
    invitation = (PortalInvitation.objects.select_related("membership__user",
                                                          "membership__account")
                  .filter(pk=payload[0]).first())
    if invitation is None or not nonce_matches(invitation.nonce, payload[1]):
        raise ValidationError(_("This invitation link is not valid."), code="invalid")
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation was already used. Sign in instead."),
                              code="used")
    if invitation.revoked_at is not None:
        raise ValidationError(_("This invitation link was replaced by a newer one or "
                                "withdrawn."), code="revoked")
    if invitation.expires_at <= (now or timezone.now()):
        raise ValidationError(_("This invitation has expired. Ask for a new one."),
                              code="expired")
    return invitation


def member_invitation_accept(*, token: str, password: str, first_name: str = "",
                             last_name: str = "", now: datetime | None = None) -> User:
    """The invitee sets a password (the validators apply) and becomes an active member; the
    link is used up (and every other open link of theirs with it)."""
    now = now or timezone.now()
    with transaction.atomic():
        found = member_invitation_from_token(token=token, now=now)
        invitation = PortalInvitation.objects.select_for_update().select_related(
            "membership__user").get(pk=found.pk)
        if not invitation.is_open:
            raise ValidationError(_("This invitation was already used. Sign in instead."),
                                  code="used")
        user = invitation.membership.user
        _check_not_disabled(user)
        if first_name.strip():
            user.first_name = first_name.strip()
        if last_name.strip():
            user.last_name = last_name.strip()
        try:
            password_validation.validate_password(password, user=user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
        user.is_active = True
        user.save()
        PortalInvitation.objects.filter(membership__user=user, accepted_at__isnull=True,
                                        revoked_at__isnull=True).update(accepted_at=now)
        audit_event(instance=invitation.membership, action="portal.invitation_accepted",
                    actor=user, data={"email": user.email})
    return user


def membership_deactivate(*, membership: PortalMembership, actor: User) -> PortalMembership:
    """Withdraw a member's access to one account (staff, or a customer admin of it)."""
    _check_may_invite(actor, membership.account)
    if actor.pk == membership.user_id:
        raise ValidationError(_("You cannot withdraw your own access."))
    with transaction.atomic():
        locked = PortalMembership.objects.select_for_update().get(pk=membership.pk)
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])
            audit_event(instance=locked, action="portal.membership_withdrawn", actor=actor,
                        data={"user": locked.user_id, "account": locked.account_id})
    return locked
