from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class ExpensesConfig(ScopedAppConfig):
    name = "crm.expenses"
    label = "crm_expenses"
    verbose_name = _("Expenses")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.core.navigation import SALES_READERS, NavItem, register_nav
        from crm.expenses import demo, files  # noqa: F401  (seeder, protected receipts)

        register_nav(NavItem(section=_("Finance"), label=_("Expenses"),
                             url_name="crm_expenses:expense_list", order=520,
                             capability=SALES_READERS))
        register_nav(NavItem(section=_("Finance"), label=_("Expense approvals"),
                             url_name="crm_expenses:approval_list", order=530,
                             capability=SALES_READERS))
