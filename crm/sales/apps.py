from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class SalesConfig(ScopedAppConfig):
    name = "crm.sales"
    label = "crm_sales"
    verbose_name = _("Sales")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.sales import provisioning  # noqa: F401 - registers the provisioning step
