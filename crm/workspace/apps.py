from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class WorkspaceConfig(ScopedAppConfig):
    """Workspace settings (company name, logo, currency, language, time zone, fiscal year,
    formats), how money and dates are shown, and the administrative audit log."""

    name = "crm.workspace"
    label = "crm_workspace"
    verbose_name = _("Workspace")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.core.settings_sections import SettingsSection, register_settings_section
        from crm.workspace import session_policy, signin_audit
        from tenants.users.permissions import Capability

        signin_audit.connect()
        session_policy.connect()
        register_settings_section(SettingsSection(
            key="workspace", label=_("Workspace"), url_name="crm_workspace:settings", order=100,
            description=_("Company name, logo, currency, language, time zone and formats."),
            capability=Capability.MANAGE_SETTINGS,
        ))
        register_settings_section(SettingsSection(
            key="audit_log", label=_("Audit log"), url_name="crm_workspace:audit_log",
            order=900,
            description=_("Every administrative change and sign-in, with who, when and from "
                          "where."),
            capability=Capability.MANAGE_SETTINGS,
        ))
