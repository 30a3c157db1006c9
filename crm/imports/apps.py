from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class ImportsConfig(ScopedAppConfig):
    name = "crm.imports"
    label = "crm_imports"
    verbose_name = _("Imports")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.core.navigation import NavItem, register_nav

        register_nav(NavItem(section=_("Administration"), label=_("Import"),
                             url_name="crm_imports:import_list", order=940))
