"""The tenant's portal settings, changed by tenant admins (audited with old -> new)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.core.audit import audit_changes, audit_snapshot
from portal.models import PortalSettings, SelfRegistration
from tenants.users.models import User
from tenants.users.permissions import Capability, can

SETTINGS_FIELDS = ("self_registration", "admins_see_branches", "list_prices_public")


def portal_settings_update(*, actor: User, self_registration: str, admins_see_branches: bool,
                           list_prices_public: bool) -> PortalSettings:
    if not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied(_("You may not change the portal settings."))
    if self_registration not in SelfRegistration.values:
        raise ValidationError({"self_registration": _("Choose who may register.")})
    with transaction.atomic():
        row, _created = PortalSettings.objects.select_for_update().get_or_create(pk=1)
        before = audit_snapshot(row, SETTINGS_FIELDS)
        row.self_registration = self_registration
        row.admins_see_branches = bool(admins_see_branches)
        row.list_prices_public = bool(list_prices_public)
        row.save()
        audit_changes(instance=row, before=before, actor=actor, action="settings.portal")
    return row
