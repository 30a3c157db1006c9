from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class PoolConfig(ScopedAppConfig):
    name = "crm.pool"
    label = "crm_pool"
    verbose_name = _("Pool")
    tenancy_scope = Scope.TENANT
