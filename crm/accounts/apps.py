from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class AccountsConfig(ScopedAppConfig):
    name = "crm.accounts"
    label = "crm_accounts"
    verbose_name = _("Accounts")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.accounts import sales_settings

        sales_settings.register()
        from crm.accounts import demo, provisioning  # noqa: F401  (register step and seeder)
        from crm.accounts.models import Account
        from crm.accounts.selectors import account_get_for
        from crm.core.files import register_attachable
        from crm.core.navigation import NavItem, register_nav
        from tenants.users.permissions import Capability

        register_attachable(model=Account, get_for=lambda viewer, account_id: account_get_for(
            viewer=viewer, account_id=account_id))
        register_nav(NavItem(section=_("Customers"), label=_("Accounts"),
                             url_name="crm_accounts:account_list", order=100))
        register_nav(NavItem(section=_("Customers"), label=_("Contacts"),
                             url_name="crm_accounts:contact_list", order=110))
        register_nav(NavItem(section=_("Customers"), label=_("Duplicates"),
                             url_name="crm_accounts:duplicates_report", order=120))
        register_nav(NavItem(section=_("Work"), label=_("Notifications"),
                             url_name="crm:notifications", order=5))
        register_nav(NavItem(section=_("Administration"), label=_("Name aliases"),
                             url_name="crm_accounts:alias_list", order=910,
                             capability=Capability.MANAGE_SETTINGS))
