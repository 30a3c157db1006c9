from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class ActivitiesConfig(ScopedAppConfig):
    name = "crm.activities"
    label = "crm_activities"
    verbose_name = _("Activities")
    tenancy_scope = Scope.TENANT
