"""A new tenant starts with a sensible lead-scoring table (editable in the settings)."""

from django.utils.translation import gettext_lazy as _

from tenants.provisioning.registry import ProvisioningContext, provisioning_step


@provisioning_step(name="lead_scoring_defaults", label=_("Lead scoring rules"), order=60)
def lead_scoring_defaults(context: ProvisioningContext) -> None:
    from crm.leads.services.scoring import scoring_defaults_ensure

    scoring_defaults_ensure()
