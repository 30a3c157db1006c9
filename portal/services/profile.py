"""The member's own profile (name, phone, language) and e-mail preferences."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.core.audit import audit_changes, audit_snapshot
from portal.models import MemberNotificationPreference, NotificationKind
from tenants.users.models import User, UserKind

PROFILE_FIELDS = ("first_name", "last_name", "phone", "language")
LANGUAGES = ("en", "zh-hans")


def _require_member(member: User) -> None:
    if member.kind != UserKind.MEMBER or not member.is_active:
        raise ValidationError(_("Only portal members have a portal profile."))


def member_profile_update(*, member: User, first_name: str, last_name: str, phone: str,
                          language: str) -> User:
    """Change the member's name, phone and language (en or zh-hans; empty: the site's)."""
    _require_member(member)
    if language not in ("", *LANGUAGES):
        raise ValidationError({"language": _("Choose English or Simplified Chinese.")})
    if not last_name.strip() and not first_name.strip():
        raise ValidationError({"last_name": _("Enter your name.")})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=member.pk)
        before = audit_snapshot(locked, PROFILE_FIELDS)
        locked.first_name = first_name.strip()[:150]
        locked.last_name = last_name.strip()[:150]
        locked.phone = phone.strip()[:40]
        locked.language = language
        locked.save(update_fields=list(PROFILE_FIELDS))
        audit_changes(instance=locked, before=before, actor=locked,
                      action="portal.profile_updated")
    return locked


def member_notification_preferences_set(*, member: User, email: Mapping[str, bool]) -> None:
    """E-mail on or off per kind (kinds not given keep their setting)."""
    _require_member(member)
    unknown = set(email) - set(NotificationKind.values)
    if unknown:
        raise ValidationError(_("Unknown notification: %(kinds)s")
                              % {"kinds": ", ".join(sorted(unknown))})
    with transaction.atomic():
        for kind, wanted in email.items():
            MemberNotificationPreference.objects.update_or_create(
                user_id=member.pk, kind=kind, defaults={"email": bool(wanted)})
