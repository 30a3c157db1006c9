from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class CatalogConfig(ScopedAppConfig):
    name = "crm.catalog"
    label = "crm_catalog"
    verbose_name = _("Catalog")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.catalog import demo  # noqa: F401  (registers the seeder)
        from crm.core.navigation import NavItem, register_nav

        register_nav(NavItem(section=_("Catalog"), label=_("Products"),
                             url_name="crm_catalog:product_list", order=400))
        register_nav(NavItem(section=_("Catalog"), label=_("Price books"),
                             url_name="crm_catalog:price_book_list", order=410))
        register_nav(NavItem(section=_("Catalog"), label=_("Price check"),
                             url_name="crm_catalog:price_check", order=420))
