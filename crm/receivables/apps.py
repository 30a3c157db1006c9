from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class ReceivablesConfig(ScopedAppConfig):
    name = "crm.receivables"
    label = "crm_receivables"
    verbose_name = _("Receivables")
    tenancy_scope = Scope.TENANT
