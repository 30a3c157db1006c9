from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class PoolConfig(ScopedAppConfig):
    name = "crm.pool"
    label = "crm_pool"
    verbose_name = _("Pool")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.pool import sales_settings

        sales_settings.register()
        from crm.core.navigation import NavItem, register_nav
        from crm.pool import demo, provisioning  # noqa: F401 - register seeder and step
        from crm.pool.views import account_pool_panel
        from tenants.users.permissions import Capability

        register_nav(NavItem(section=_("Customers"), label=_("Shared pool"),
                             url_name="pool:pool_list", order=60))
        register_nav(NavItem(section=_("Administration"), label=_("Pool rules"),
                             url_name="pool:pool_settings", order=930,
                             capability=Capability.MANAGE_SETTINGS))
        register_nav(NavItem(section=_("Administration"), label=_("Ownership transfer"),
                             url_name="pool:transfer", order=935,
                             capability=Capability.ASSIGN_RECORDS))
        from crm.accounts.selectors import register_unowned_account_rule
        from crm.pool.selectors import pool_hidden_account_ids

        # Unowned accounts of other teams' pools are not visible (pages and API alike).
        register_unowned_account_rule("pool", pool_hidden_account_ids)
        try:
            from crm.accounts.panels import register_account_panel
        except ImportError:  # the accounts app offers no panels: nothing to add
            return
        register_account_panel("pool_history", "crm/pool/_account_pool_panel.html", 45,
                               account_pool_panel)
