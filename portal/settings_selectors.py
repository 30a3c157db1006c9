"""The tenant's portal settings, for any app that needs them (the CMS reads whether list
prices are public; portal.selectors reads whether customer admins see branches)."""

from portal.models import PortalSettings


def portal_settings() -> PortalSettings:
    """The current tenant's portal settings row (created with the defaults on first use)."""
    row, _created = PortalSettings.objects.get_or_create(pk=1)
    return row
