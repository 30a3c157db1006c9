from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class CoreConfig(ScopedAppConfig):
    name = "crm.core"
    label = "crm_core"
    verbose_name = _("CRM core")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from crm.core import demo  # noqa: F401 - registers the demo seeder
        from crm.core.navigation import NavItem, register_nav
        from tenants.users.permissions import Capability

        register_nav(NavItem(section=_("Work"), label=_("Home"), url_name="crm:home", order=0))
        register_nav(NavItem(section=_("Administration"), label=_("Settings"),
                             url_name="crm:settings", order=900,
                             capability=Capability.MANAGE_SETTINGS))
        register_nav(NavItem(section=_("Administration"), label=_("Teams"),
                             url_name="crm:team_list", order=905,
                             capability=(Capability.MANAGE_SETTINGS,
                                         Capability.SEE_TEAM_RECORDS)))

        from crm.core.settings_sections import SettingsSection, register_settings_section

        register_settings_section(SettingsSection(
            key="billing", label=_("Billing"), url_name="billing_tenant:overview", order=800,
            description=_("Plan, seats, payment method and invoices."),
            capability=Capability.MANAGE_BILLING,
        ))
        register_settings_section(SettingsSection(
            key="teams", label=_("Teams"), url_name="crm:team_list", order=200,
            description=_("Sales teams, their managers and members."),
            capability=(Capability.MANAGE_SETTINGS, Capability.SEE_TEAM_RECORDS),
        ))
        register_settings_section(SettingsSection(
            key="regions", label=_("Regions and territories"), url_name="crm:region_list",
            order=210, description=_("The list accounts, leads, rules and teams choose from."),
        ))
        register_settings_section(SettingsSection(
            key="sales", label=_("Sales settings"), url_name="crm:sales_settings", order=300,
            description=_("Pipelines, pool rules, lead scoring and assignment, duplicates."),
        ))
