"""The one writer of workspace settings: the public Tenant row's name, currency, language and
time zone, and this schema's WorkspaceSettings (logo, fiscal year, formats), in one
transaction, audited as ``settings.updated`` with old -> new."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from crm.core.audit import audit_event
from crm.workspace.choices import (
    DATE_PRESETS,
    NUMBER_PRESETS,
    currency_codes,
    default_number_format,
    language_choices,
    time_zone_names,
)
from crm.workspace.formats import forget_active_formats
from crm.workspace.models import WorkspaceSettings
from crm.workspace.selectors import security_policy_forget
from tenants.models import Tenant
from tenants.users.models import User
from tenants.users.permissions import Capability, can

LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_PIXELS = 4096 * 4096
# Raster formats browsers show; never SVG (script inside an image the CRM serves).
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}

TENANT_FIELDS = ("name", "currency", "language", "time_zone")
WORKSPACE_FIELDS = ("fiscal_year_start_month", "date_format", "number_format",
                    "require_2fa_admins", "require_2fa_everyone", "session_lifetime_hours")
SESSION_LIFETIME_MAX_HOURS = 24 * 90


@dataclass(frozen=True)
class CheckedLogo:
    file: UploadedFile
    extension: str


def workspace_logo_check(*, file: UploadedFile) -> CheckedLogo:
    """The upload is a PNG, JPEG, GIF or WebP image by its content (Pillow), not by its name
    or declared type, within the size limits."""
    if file.size is not None and file.size > LOGO_MAX_BYTES:
        raise ValidationError({"logo": [_("The logo may be at most 1 MB.")]})
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format or ""
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise ValidationError(
            {"logo": [_("Upload a PNG, JPEG, GIF or WebP image.")]}
        ) from None
    finally:
        file.seek(0)
    if image_format not in LOGO_FORMATS:
        raise ValidationError({"logo": [_("Upload a PNG, JPEG, GIF or WebP image.")]})
    if width * height > LOGO_MAX_PIXELS:
        raise ValidationError({"logo": [_("The logo may be at most 4096 by 4096 pixels.")]})
    return CheckedLogo(file=file, extension=LOGO_FORMATS[image_format])


def _clean(field: str, value: Any) -> Any:
    if field == "name":
        name = str(value or "").strip()
        if not name:
            raise ValidationError({"name": [_("Enter the company name.")]})
        if len(name) > 200:
            raise ValidationError({"name": [_("The name may be at most 200 characters.")]})
        return name
    if field == "currency":
        code = str(value or "").strip().upper()
        if code not in currency_codes():
            raise ValidationError({"currency": [_("Choose an ISO 4217 currency code.")]})
        return code
    if field == "language":
        if value not in {code for code, _label in language_choices()}:
            raise ValidationError({"language": [_("Choose one of the offered languages.")]})
        return value
    if field == "time_zone":
        if value not in time_zone_names():
            raise ValidationError({"time_zone": [_("Choose a time zone such as Asia/Shanghai.")]})
        return value
    if field == "fiscal_year_start_month":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
            raise ValidationError(
                {"fiscal_year_start_month": [_("Choose a month from 1 to 12.")]}
            )
        return value
    if field == "date_format":
        if value not in DATE_PRESETS:
            raise ValidationError({"date_format": [_("Choose one of the offered formats.")]})
        return value
    if field == "number_format":
        if value not in NUMBER_PRESETS:
            raise ValidationError({"number_format": [_("Choose one of the offered formats.")]})
        return value
    if field in ("require_2fa_admins", "require_2fa_everyone"):
        return bool(value)
    if field == "session_lifetime_hours":
        if value == 0 or value == "":
            return 0  # back to the platform default (stored as empty)
        if isinstance(value, bool) or not isinstance(value, int) \
                or not 1 <= value <= SESSION_LIFETIME_MAX_HOURS:
            raise ValidationError({"session_lifetime_hours": [
                _("Enter a number of hours from 1 to %(max)s.")
                % {"max": SESSION_LIFETIME_MAX_HOURS}]})
        return value
    raise ValueError(field)


def workspace_update(
    *, actor: User, tenant: Tenant, name: str | None = None, currency: str | None = None,
    language: str | None = None, time_zone: str | None = None,
    fiscal_year_start_month: int | None = None, date_format: str | None = None,
    number_format: str | None = None, logo: UploadedFile | None = None,
    remove_logo: bool = False, require_2fa_admins: bool | None = None,
    require_2fa_everyone: bool | None = None, session_lifetime_hours: int | None = None,
) -> WorkspaceSettings:
    """Change what is given (``None`` leaves a setting as it is). Administrators only.
    Bad values raise ValidationError keyed by the field; nothing is saved then.
    ``session_lifetime_hours=0`` returns to the platform default."""
    if not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied(_("Only administrators may change the workspace settings."))
    given = {
        "name": name, "currency": currency, "language": language, "time_zone": time_zone,
        "fiscal_year_start_month": fiscal_year_start_month, "date_format": date_format,
        "number_format": number_format, "require_2fa_admins": require_2fa_admins,
        "require_2fa_everyone": require_2fa_everyone,
        "session_lifetime_hours": session_lifetime_hours,
    }
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for field, value in given.items():
        if value is None:
            continue
        try:
            cleaned[field] = _clean(field, value)
        except ValidationError as error:
            errors.update(error.message_dict)
    checked_logo = None
    if logo is not None and not remove_logo:
        try:
            checked_logo = workspace_logo_check(file=logo)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        # The tenant row lives in the public schema (reached through the search path); lock
        # it so two admins saving at once cannot interleave their halves.
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        workspace, _created = WorkspaceSettings.objects.select_for_update().get_or_create(
            pk=WorkspaceSettings.SINGLETON_PK,
            defaults={"number_format": default_number_format(locked.language)},
        )
        changes: dict[str, list[Any]] = {}
        tenant_updates: dict[str, Any] = {}
        for field in TENANT_FIELDS:
            if field in cleaned and getattr(locked, field) != cleaned[field]:
                changes[field] = [getattr(locked, field), cleaned[field]]
                tenant_updates[field] = cleaned[field]
        if cleaned.get("session_lifetime_hours") == 0:
            cleaned["session_lifetime_hours"] = None
        for field in WORKSPACE_FIELDS:
            if field in cleaned and getattr(workspace, field) != cleaned[field]:
                changes[field] = [getattr(workspace, field), cleaned[field]]
                setattr(workspace, field, cleaned[field])
        old_logo = workspace.logo.name or ""
        if remove_logo and old_logo:
            changes["logo"] = [old_logo, ""]
            workspace.logo = ""
        elif checked_logo is not None:
            stamp = timezone.now().strftime("%Y%m%d%H%M%S")
            workspace.logo.save(f"logo-{stamp}.{checked_logo.extension}", checked_logo.file,
                                save=False)
            changes["logo"] = [old_logo, workspace.logo.name]
        if tenant_updates:
            Tenant.objects.filter(pk=tenant.pk).update(**tenant_updates,
                                                       updated_at=timezone.now())
            # The rest of this request (and connection.tenant, which formats and the sales
            # defaults read) sees the new values at once.
            current = getattr(connection, "tenant", None)
            for target in {id(tenant): tenant, id(current): current}.values():
                if target is not None and target.pk == tenant.pk:
                    for field, value in tenant_updates.items():
                        setattr(target, field, value)
        workspace.save()
        if changes:
            audit_event(instance=workspace, action="settings.updated", actor=actor,
                        changes=changes)
        if old_logo and "logo" in changes:
            storage, stale = workspace.logo.storage, old_logo
            transaction.on_commit(lambda: storage.delete(stale))
    forget_active_formats()
    security_policy_forget()
    transaction.on_commit(security_policy_forget)
    return workspace
