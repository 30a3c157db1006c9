from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class AccountsConfig(ScopedAppConfig):
    name = "crm.accounts"
    label = "crm_accounts"
    verbose_name = _("Accounts")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.accounts import provisioning  # noqa: F401  (registers the alias step)
