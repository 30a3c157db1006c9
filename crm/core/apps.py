from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class CoreConfig(ScopedAppConfig):
    name = "crm.core"
    label = "crm_core"
    verbose_name = _("CRM core")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from crm.core.navigation import NavItem, register_nav
        from tenants.users.permissions import Capability

        register_nav(NavItem(section=_("Work"), label=_("Home"), url_name="crm:home", order=0))
        register_nav(NavItem(section=_("Administration"), label=_("Settings"),
                             url_name="crm:settings", order=900,
                             capability=Capability.MANAGE_SETTINGS))

        from crm.core.settings_sections import SettingsSection, register_settings_section

        register_settings_section(SettingsSection(
            key="billing", label=_("Billing"), url_name="billing_tenant:overview", order=800,
            description=_("Plan, seats, payment method and invoices."),
            capability=Capability.MANAGE_BILLING,
        ))
