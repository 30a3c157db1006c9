"""Changes to staff users: role, deactivation (frees the seat, keeps every record),
reactivation and a portal member made staff (both need a seat), and the password reset
e-mail an administrator sends. The workspace always keeps one active administrator."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.staff.services.seats import staff_access_check
from tenants.users.models import Role, User, UserKind


def _locked(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _admin_flags(user: User) -> list[str]:
    """Tenant admins are superusers within their schema (Django and Wagtail admin)."""
    is_admin = user.role == Role.ADMIN
    if user.is_superuser == is_admin and user.is_staff == is_admin:
        return []
    user.is_superuser = is_admin
    user.is_staff = is_admin
    return ["is_superuser", "is_staff"]


def _has_open_invitation(user: User) -> bool:
    from crm.staff.models import Invitation

    return Invitation.objects.filter(user=user, accepted_at__isnull=True,
                                     revoked_at__isnull=True).exists()


def user_role_change(*, user: User, role: str, actor: User) -> User:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles.")})
    with transaction.atomic():
        user = _locked(user)
        if user.kind != UserKind.STAFF:
            raise ValidationError(_("Only staff users have a role."))
        if user.role == role:
            return user
        staff_access_check(user=user, kind=user.kind, role=role, is_active=user.is_active,
                           lock=True)
        before = user.role
        user.role = role
        user.save(update_fields=["role", *_admin_flags(user)])
        audit_event(instance=user, action="user.role_changed", actor=actor,
                    changes={"role": [before, role]}, data={"email": user.email})
    return user


def user_deactivate(*, user: User, actor: User | None) -> User:
    """The user can no longer sign in and frees their seat; their records, history and team
    memberships stay (ownership is moved separately, on the transfer page)."""
    with transaction.atomic():
        user = _locked(user)
        if user.kind != UserKind.STAFF:
            raise ValidationError(_("Only staff users can be deactivated here."))
        if not user.is_active:
            raise ValidationError(_("%(user)s is not active.") % {"user": user.display_name})
        staff_access_check(user=user, kind=user.kind, role=user.role, is_active=False,
                           lock=True)
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_event(instance=user, action="user.deactivated", actor=actor,
                    data={"email": user.email, "role": user.role})
    return user


def user_reactivate(*, user: User, actor: User | None) -> User:
    """A deactivated staff user signs in again: needs a free seat."""
    with transaction.atomic():
        user = _locked(user)
        if user.kind != UserKind.STAFF:
            raise ValidationError(_("Only staff users can be reactivated here."))
        if user.is_active:
            raise ValidationError(_("%(user)s is already active.") % {"user": user.display_name})
        if _has_open_invitation(user):
            raise ValidationError(_("%(user)s has not accepted their invitation yet: resend "
                                    "it instead.") % {"user": user.display_name})
        staff_access_check(user=user, kind=user.kind, role=user.role, is_active=True,
                           lock=True)
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_event(instance=user, action="user.reactivated", actor=actor,
                    data={"email": user.email, "role": user.role})
    return user


def user_make_staff(*, user: User, role: str, actor: User) -> User:
    """A portal member becomes staff with ``role`` (takes a seat when active)."""
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles.")})
    with transaction.atomic():
        user = _locked(user)
        if user.kind != UserKind.MEMBER:
            raise ValidationError(_("Only portal members can be made staff."))
        staff_access_check(user=user, kind=UserKind.STAFF, role=role,
                           is_active=user.is_active, lock=True)
        user.kind = UserKind.STAFF
        user.role = role
        user.save(update_fields=["kind", "role", *_admin_flags(user)])
        audit_event(instance=user, action="user.made_staff", actor=actor,
                    changes={"kind": [UserKind.MEMBER, UserKind.STAFF], "role": ["", role]},
                    data={"email": user.email})
    return user


def user_password_reset_send(*, user: User, actor: User) -> None:
    """Queue the standard password reset e-mail (after commit) for an active user."""
    from crm.staff.tasks import send_password_reset

    if not user.is_active or not user.has_usable_password():
        raise ValidationError(_("%(user)s cannot reset a password: only active users who "
                                "have set one can (resend an invitation instead).")
                              % {"user": user.display_name})
    with transaction.atomic():
        audit_event(instance=user, action="user.password_reset_sent", actor=actor,
                    data={"email": user.email})
        user_id = user.pk
        transaction.on_commit(lambda: send_password_reset.delay(user_id))


def user_set_active(*, user: User, is_active: bool, actor: User | None) -> bool:
    """Wagtail's bulk "set active state": staff through deactivation / reactivation (seat
    check, last administrator); portal members take no seat. Invitees who have not accepted
    are left alone (their invitation decides). True when the user changed."""
    if user.is_active == is_active:
        return False
    if user.kind == UserKind.STAFF:
        if is_active and _has_open_invitation(user):
            return False
        if is_active:
            user_reactivate(user=user, actor=actor)
        else:
            user_deactivate(user=user, actor=actor)
        return True
    with transaction.atomic():
        user = _locked(user)
        user.is_active = is_active
        user.save(update_fields=["is_active"])
        audit_event(instance=user, action="user.reactivated" if is_active else
                    "user.deactivated", actor=actor, data={"email": user.email})
    return True
