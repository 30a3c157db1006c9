from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class BillingConfig(ScopedAppConfig):
    name = "billing"
    verbose_name = _("Billing")
    tenancy_scope = Scope.PUBLIC

    def ready(self) -> None:
        from billing.stripe_client import configure_stripe_module
        from crm.core.navigation import NavItem, register_nav
        from tenants.provisioning.registry import provisioning_step
        from tenants.users.permissions import Capability

        configure_stripe_module()
        register_nav(NavItem(section=_("Administration"), label=_("Billing"),
                             url_name="billing_tenant:overview", order=910,
                             capability=Capability.MANAGE_BILLING))

        @provisioning_step(name="billing_account", label=_("Setting up billing"), order=90)
        def create_billing_account(context: object) -> None:
            from billing.services.accounts import billing_account_ensure

            billing_account_ensure(tenant=context.tenant)  # type: ignore[attr-defined]
