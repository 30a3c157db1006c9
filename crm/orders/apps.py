from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class OrdersConfig(ScopedAppConfig):
    name = "crm.orders"
    label = "crm_orders"
    verbose_name = _("Orders and contracts")
    tenancy_scope = Scope.TENANT
