from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class TenantsConfig(ScopedAppConfig):
    name = "tenants"
    verbose_name = _("Tenants")
    tenancy_scope = Scope.PUBLIC

    def ready(self) -> None:
        from tenants import checks, pooling  # noqa: F401  (system checks)
        from tenants.provisioning import steps  # noqa: F401  (registers the base steps)
