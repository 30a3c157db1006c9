from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class SalesConfig(ScopedAppConfig):
    name = "crm.sales"
    label = "crm_sales"
    verbose_name = _("Sales")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.sales import sales_settings

        sales_settings.register()
        from crm.accounts.panels import register_account_panel
        from crm.core.home import HomeWidget, register_home_widget
        from crm.core.navigation import SALES_READERS, NavItem, register_nav
        from crm.sales import demo, provisioning  # noqa: F401 - register seeder and step
        from crm.sales.widgets import account_rollup_context, home_pipeline_context
        from tenants.users.permissions import Capability

        # Read-only users reach these pages too (SEE_ALL_RECORDS); the menu entry follows
        # MANAGE_SALES because a nav item carries a single capability.
        register_nav(NavItem(section=_("Sales"), label=_("Opportunities"),
                             url_name="sales:opportunity_list", order=130,
                             capability=SALES_READERS))
        register_nav(NavItem(section=_("Sales"), label=_("Pipeline board"),
                             url_name="sales:board", order=135,
                             capability=SALES_READERS))
        register_nav(NavItem(section=_("Sales"), label=_("Forecast"),
                             url_name="sales:forecast", order=140,
                             capability=SALES_READERS))
        register_nav(NavItem(section=_("Administration"), label=_("Pipelines"),
                             url_name="sales:pipeline_settings_index", order=915,
                             capability=Capability.MANAGE_SETTINGS))
        register_home_widget(HomeWidget(name="sales_pipeline",
                                        template="crm/sales/_home_widget.html", order=20,
                                        context=home_pipeline_context))
        register_account_panel("sales_rollup", "crm/sales/_account_rollup.html", 20,
                               account_rollup_context)
