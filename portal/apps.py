from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class PortalConfig(ScopedAppConfig):
    name = "portal"
    verbose_name = _("Customer portal")
    tenancy_scope = Scope.TENANT
