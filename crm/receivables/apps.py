from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class ReceivablesConfig(ScopedAppConfig):
    name = "crm.receivables"
    label = "crm_receivables"
    verbose_name = _("Receivables")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.accounts.panels import register_account_panel
        from crm.core.navigation import SALES_READERS, NavItem, register_nav
        from crm.receivables import demo  # noqa: F401  (registers the seeder)
        from crm.receivables.panels import account_receivables_context

        register_nav(NavItem(section=_("Finance"), label=_("Receivables"),
                             url_name="crm_receivables:aging", order=500,
                             capability=SALES_READERS))
        register_account_panel("receivables", "crm/receivables/_account_panel.html", 30,
                               account_receivables_context)
