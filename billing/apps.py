from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class BillingConfig(ScopedAppConfig):
    name = "billing"
    verbose_name = _("Billing")
    tenancy_scope = Scope.PUBLIC
