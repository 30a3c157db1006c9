from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class ReportsConfig(ScopedAppConfig):
    """Dashboards and reports (issue 12): each report is a builder registered in
    ``crm.reports.registry``; the pages, the API and the downloads render whatever is
    registered, so a report is written once."""

    name = "crm.reports"
    label = "crm_reports"
    verbose_name = _("Reports")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.core.navigation import NavItem, register_nav
        from crm.core.settings_sections import SettingsSection, register_settings_section
        from crm.reports import definitions, demo  # noqa: F401  (register reports, seeder)
        from tenants.users.permissions import Capability

        register_nav(NavItem(section=_("Sales"), label=_("Reports"),
                             url_name="crm_reports:dashboard", order=145))
        register_settings_section(SettingsSection(
            key="exchange_rates", label=_("Exchange rates"),
            url_name="crm_reports:exchange_rates", order=460,
            description=_("Rates that convert other currencies in reports."),
            capability=Capability.MANAGE_SETTINGS))
