from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class LeadsConfig(ScopedAppConfig):
    name = "crm.leads"
    label = "crm_leads"
    verbose_name = _("Leads")
    tenancy_scope = Scope.TENANT
