"""Every new tenant starts with the built-in roles' limits."""

from django.utils.translation import gettext_lazy as _

from tenants.provisioning.registry import ProvisioningContext, provisioning_step


@provisioning_step(name="role_policies", label=_("Setting up roles and limits"), order=35)
def role_policies_step(context: ProvisioningContext) -> None:
    from crm.staff.services.role_policies import role_policies_ensure

    role_policies_ensure()
