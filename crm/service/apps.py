from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class ServiceConfig(ScopedAppConfig):
    name = "crm.service"
    label = "crm_service"
    verbose_name = _("Service")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.service import sla_registry

        sla_registry.register()
