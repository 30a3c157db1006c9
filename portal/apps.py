from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class PortalConfig(ScopedAppConfig):
    name = "portal"
    verbose_name = _("Customer portal")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.core.navigation import NavItem, register_nav
        from crm.core.settings_sections import SettingsSection, register_settings_section
        from portal import demo  # noqa: F401  (registers the seeder)
        from tenants.users.permissions import Capability

        register_nav(NavItem(section=_("Customer portal"), label=_("Portal registrations"),
                             url_name="portal_staff:registration_list", order=860,
                             capability=Capability.INVITE_PORTAL_MEMBERS))
        register_settings_section(SettingsSection(
            key="portal", label=_("Customer portal"), url_name="portal_settings:edit",
            order=450,
            description=_("Who may register, whether customer admins see branch accounts, "
                          "whether list prices are public."),
        ))
