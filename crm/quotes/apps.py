from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class QuotesConfig(ScopedAppConfig):
    name = "crm.quotes"
    label = "crm_quotes"
    verbose_name = _("Quotes")
    tenancy_scope = Scope.TENANT
