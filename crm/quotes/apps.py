from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class QuotesConfig(ScopedAppConfig):
    name = "crm.quotes"
    label = "crm_quotes"
    verbose_name = _("Quotes")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.accounts.panels import register_account_panel
        from crm.core.navigation import SALES_READERS, NavItem, register_nav
        from crm.quotes import demo, sales_settings  # noqa: F401  (registers the seeder)
        from crm.quotes.panels import account_quotes_context

        sales_settings.register()
        register_nav(NavItem(section=_("Sales"), label=_("Quotes"),
                             url_name="crm_quotes:quote_list", order=150,
                             capability=SALES_READERS))
        register_nav(NavItem(section=_("Sales"), label=_("Quote approvals"),
                             url_name="crm_quotes:approval_inbox", order=155,
                             capability=SALES_READERS))
        register_account_panel("quotes", "crm/quotes/_account_panel.html", 30,
                               account_quotes_context)
