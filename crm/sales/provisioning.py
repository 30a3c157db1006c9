"""The default pipeline every new tenant starts with."""

from django.utils.translation import gettext_lazy as _

from tenants.provisioning.registry import ProvisioningContext, provisioning_step


@provisioning_step(name="default_pipeline", label=_("Default sales pipeline"), order=30)
def default_pipeline_step(context: ProvisioningContext) -> None:
    from crm.sales.services import default_pipeline_ensure

    pipeline = default_pipeline_ensure()
    context.facts["default_pipeline_id"] = pipeline.pk
