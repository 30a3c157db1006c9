"""The workspace's quote settings (validity, default terms, the address on quote PDFs)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.quotes.models import QuoteSettings
from crm.quotes.selectors import quote_settings_get
from tenants.users.models import User
from tenants.users.permissions import Capability, can


@transaction.atomic
def quote_settings_update(*, actor: User, validity_days: int, default_terms: str,
                          document_address: str) -> QuoteSettings:
    """Administrators change the quote settings; new quotes use them from then on."""
    if not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied(_("Only administrators change the quote settings."))
    if not 1 <= int(validity_days) <= 3650:
        raise ValidationError({"validity_days": _("Between 1 and 3650 days.")})
    current = quote_settings_get()
    current.validity_days = int(validity_days)
    current.default_terms = default_terms.strip()
    current.document_address = document_address.strip()
    current.save()
    audit_event(instance=current, actor=actor, action="settings.quotes_changed",
                data={"validity_days": current.validity_days})
    return current
