from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class StaffConfig(ScopedAppConfig):
    """Tenant administration of people: users and invitations, roles and their limits, and
    the one seat service every path that makes a staff seat goes through."""

    name = "crm.staff"
    label = "crm_staff"
    verbose_name = _("Users and roles")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.core.navigation import NavItem, register_nav
        from crm.core.settings_sections import SettingsSection, register_settings_section
        from crm.staff import demo, provisioning  # noqa: F401  (register step and seeder)
        from tenants.users.permissions import Capability

        register_settings_section(SettingsSection(
            key="users", label=_("Users"), url_name="staff:user_list", order=100,
            description=_("Invite people, change roles, deactivate and reactivate."),
            capability=(Capability.MANAGE_SETTINGS, Capability.SEE_TEAM_RECORDS),
        ))
        register_settings_section(SettingsSection(
            key="roles", label=_("Roles and limits"), url_name="staff:role_list", order=120,
            description=_("What each role may do; discount and approval limits per role."),
            capability=Capability.MANAGE_SETTINGS,
        ))
        # Managers have no settings overview: they reach their teams' users from the menu.
        register_nav(NavItem(section=_("Administration"), label=_("Users"),
                             url_name="staff:user_list", order=905,
                             capability=(Capability.MANAGE_SETTINGS,
                                         Capability.SEE_TEAM_RECORDS)))
