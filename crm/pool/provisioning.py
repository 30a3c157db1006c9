"""Every new tenant starts with one shared pool and its default rules."""

from django.utils.translation import gettext_lazy as _

from tenants.provisioning.registry import ProvisioningContext, provisioning_step


@provisioning_step(name="default_pool", label=_("Default shared pool"), order=40)
def default_pool_step(context: ProvisioningContext) -> None:
    from crm.pool.services import default_pool_ensure

    context.facts["default_pool_id"] = default_pool_ensure().pk
