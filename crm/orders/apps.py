from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class OrdersConfig(ScopedAppConfig):
    name = "crm.orders"
    label = "crm_orders"
    verbose_name = _("Orders and contracts")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.accounts.panels import register_account_panel
        from crm.core.navigation import SALES_READERS, NavItem, register_nav
        from crm.core.settings_sections import SettingsSection, register_settings_section
        from crm.orders import demo, provisioning  # noqa: F401  (seeder and step)
        from crm.orders.panels import account_orders_context
        from tenants.users.permissions import Capability

        register_nav(NavItem(section=_("Sales"), label=_("Orders and contracts"),
                             url_name="crm_orders:order_list", order=150,
                             capability=SALES_READERS))
        register_nav(NavItem(section=_("Sales"), label=_("Order approvals"),
                             url_name="crm_orders:approval_inbox", order=155,
                             capability=SALES_READERS))
        register_settings_section(SettingsSection(
            key="orders", label=_("Orders"), url_name="crm_orders:settings", order=310,
            description=_("The order approval chain and contract renewal reminders."),
            capability=Capability.MANAGE_SETTINGS,
        ))
        register_account_panel("orders", "crm/orders/_account_panel.html", 30,
                               account_orders_context)
