from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class LeadsConfig(ScopedAppConfig):
    name = "crm.leads"
    label = "crm_leads"
    verbose_name = _("Leads")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.leads import sales_settings

        sales_settings.register()
        from crm.core.navigation import SALES_READERS, NavItem, register_nav
        from crm.leads import demo, provisioning  # noqa: F401 - register seeder and step
        from tenants.users.permissions import Capability

        register_nav(NavItem(section=_("Sales"), label=_("Leads"), url_name="leads:lead_list",
                             order=120, capability=SALES_READERS))
        register_nav(NavItem(section=_("Sales"), label=_("Campaigns"),
                             url_name="leads:campaign_list", order=125,
                             capability=SALES_READERS))
        register_nav(NavItem(section=_("Administration"), label=_("Lead rules"),
                             url_name="leads:rules", order=920,
                             capability=Capability.MANAGE_SETTINGS))
