"""Two-factor devices of one user (staff on a tenant host, an operator on the public host):
start and confirm a TOTP device, backup codes, check a code, disable. The devices are
django-otp's (``otp_totp.TOTPDevice``, ``otp_static.StaticDevice``) in the schema of the
host the user signs in on, so a device of one tenant's user does not exist on another.

Whether a user has two-factor turned on is read on every protected request
(tenants.two_factor.middleware); the answer is cached per schema and user and forgotten
whenever one of their devices is saved or deleted."""

import io
from base64 import b32encode
from typing import Any
from urllib.parse import quote, urlencode

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tenants.users.models import User

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"
_CACHE_SECONDS = 300


def _cache_key(user_id: int) -> str:
    # The default cache's key function adds the schema (django_tenants.cache.make_key).
    return f"two-factor:enabled:{user_id}"


def two_factor_enabled(*, user: Any) -> bool:
    """Whether the user has a confirmed authenticator (cached; see module docstring)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return False
    key = _cache_key(user.pk)
    cached = cache.get(key)
    if cached is None:
        cached = user_has_device(user, confirmed=True)
        cache.set(key, cached, _CACHE_SECONDS)
    return bool(cached)


def _forget(user_id: int | None) -> None:
    if user_id:
        cache.delete(_cache_key(user_id))


@receiver(post_save, sender=TOTPDevice, dispatch_uid="two_factor.totp_saved")
@receiver(post_delete, sender=TOTPDevice, dispatch_uid="two_factor.totp_deleted")
@receiver(post_save, sender=StaticDevice, dispatch_uid="two_factor.static_saved")
@receiver(post_delete, sender=StaticDevice, dispatch_uid="two_factor.static_deleted")
def _device_changed(sender: Any, instance: Device, **kwargs: Any) -> None:
    user_id = instance.user_id
    transaction.on_commit(lambda: _forget(user_id))
    _forget(user_id)


def _audit(*, user: User, action: str) -> None:
    """``auth.2fa_*`` in the workspace's audit log; an OperatorAction on the public host."""
    tenant = getattr(connection, "tenant", None)
    if tenant is not None and getattr(tenant, "kind", "") == "customer":
        from crm.core.audit import audit_event

        audit_event(instance=user, action=action, actor=user, data={"email": user.email})
    elif connection.schema_name == "public":
        from tenants.models import OperatorAction

        OperatorAction.objects.create(operator=user, target=user.email[:100],
                                      action=action[:40])


def totp_device_pending(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def totp_device_start(*, user: User) -> TOTPDevice:
    """A fresh unconfirmed authenticator with a new secret (any earlier unconfirmed one is
    replaced); it counts for nothing until confirmed with a code."""
    if two_factor_enabled(user=user):
        raise ValidationError(_("Two-factor authentication is already on."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def _clean_token(token: object) -> str:
    return "".join(str(token or "").split()).lower()


def totp_device_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a code it shows; returns it and the new backup
    codes (the only time they are readable)."""
    device = totp_device_pending(user=user)
    if device is None:
        raise ValidationError(_("Start the set-up again."))
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(_clean_token(token)):
            raise ValidationError(_("That code is not correct. Check the time on your phone "
                                    "and try the newest code."), code="invalid_code")
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_backup_codes(user)
        _audit(user=user, action="auth.2fa_enabled")
    return device, codes


def _replace_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < BACKUP_CODE_COUNT:
        code = StaticToken.random_token()  # 8 characters of base32
        if not code.isdigit() and code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def two_factor_verify(*, user: User, token: str) -> Device | None:
    """The confirmed device (authenticator, or a backup code, used up) that accepts the
    code, or None. django-otp's own per-device throttling and replay protection apply."""
    token = _clean_token(token)
    if not token or len(token) > 16:
        return None
    # Authenticator codes are digits; backup codes are letters and digits (never all digits
    # in practice): trying only the matching kind keeps a backup code from counting as a
    # failed authenticator code in django-otp's per-device throttle.
    wanted = TOTPDevice if token.isdigit() else StaticDevice
    for device in devices_for_user(user, confirmed=True):
        if not isinstance(device, wanted):
            continue
        with transaction.atomic():
            locked = type(device).objects.select_for_update().get(pk=device.pk)
            if locked.verify_token(token):
                if isinstance(locked, StaticDevice):
                    _audit(user=user, action="auth.2fa_backup_used")
                return locked
    return None


def backup_codes_regenerate(*, user: User, token: str) -> list[str]:
    """New backup codes (the old ones stop working), confirmed with a current code."""
    if two_factor_verify(user=user, token=token) is None:
        raise ValidationError(_("That code is not correct."), code="invalid_code")
    with transaction.atomic():
        codes = _replace_backup_codes(user)
        _audit(user=user, action="auth.2fa_backup_regenerated")
    return codes


def two_factor_disable(*, user: User, token: str) -> None:
    """Turn two-factor off (every device and backup code), confirmed with a current code."""
    if two_factor_verify(user=user, token=token) is None:
        raise ValidationError(_("That code is not correct."), code="invalid_code")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _audit(user=user, action="auth.2fa_disabled")


def totp_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it by hand (base32, no padding)."""
    return b32encode(device.bin_key).decode().rstrip("=")


def totp_config_url(device: TOTPDevice, *, issuer: str) -> str:
    label = quote(f"{issuer}:{device.user.email}")
    query = urlencode({"secret": totp_secret(device), "issuer": issuer, "algorithm": "SHA1",
                       "digits": device.digits, "period": device.step})
    return f"otpauth://totp/{label}?{query}"


def qr_code_svg(data: str) -> str:
    """The QR code of ``data`` as inline SVG, drawn here (no external image service)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(data, image_factory=SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    if svg.startswith("<?xml"):
        svg = svg.split("?>", 1)[1]
    return svg.strip()
