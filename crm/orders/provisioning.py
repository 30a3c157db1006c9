"""The order settings and approval chain every new tenant starts with."""

from django.utils.translation import gettext_lazy as _

from tenants.provisioning.registry import ProvisioningContext, provisioning_step


@provisioning_step(name="order_approval_chain", label=_("Order approval chain"), order=45)
def order_approval_chain_step(context: ProvisioningContext) -> None:
    from crm.orders.services.settings import order_defaults_ensure

    order_defaults_ensure()
