"""Provisioning step: a new tenant starts with the built-in abbreviation table."""

from django.utils.translation import gettext_lazy as _

from crm.accounts.models import AccountSettings
from crm.accounts.services import aliases_seed_defaults
from tenants.provisioning.registry import ProvisioningContext, provisioning_step


@provisioning_step(name="account_aliases", label=_("Setting up duplicate detection"), order=30)
def seed_account_defaults(context: ProvisioningContext) -> None:
    aliases_seed_defaults()
    AccountSettings.current()
