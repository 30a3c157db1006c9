from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class ServiceConfig(ScopedAppConfig):
    name = "crm.service"
    label = "crm_service"
    verbose_name = _("Service")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.core.files import register_attachable
        from crm.core.navigation import NavItem, register_nav
        from crm.service import demo  # noqa: F401  (registers the seeder)
        from crm.service.models import ServiceRequest
        from crm.service.selectors import service_request_get_for
        from tenants.users.permissions import Capability

        register_attachable(model=ServiceRequest, get_for=lambda viewer, pk:
                            service_request_get_for(viewer=viewer, request_id=pk))
        register_nav(NavItem(section=_("Service"), label=_("My queue"),
                             url_name="crm_service:home", order=500,
                             capability=Capability.MANAGE_SERVICE))
        register_nav(NavItem(section=_("Service"), label=_("Service requests"),
                             url_name="crm_service:request_list", order=510))
        register_nav(NavItem(section=_("Service"), label=_("Assets"),
                             url_name="crm_service:asset_list", order=520))

        from crm.service import sla_registry

        sla_registry.register()
