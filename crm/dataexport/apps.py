from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class DataExportConfig(ScopedAppConfig):
    """The tenant's data leaving the CRM on request: the whole-tenant export (one ZIP built
    in Celery) and the erasure of a person (GDPR / PIPL)."""

    name = "crm.dataexport"
    label = "crm_dataexport"
    verbose_name = _("Data export and erasure")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.core.settings_sections import SettingsSection, register_settings_section
        from tenants.users.permissions import Capability

        register_settings_section(SettingsSection(
            key="data_export", label=_("Data export"), url_name="dataexport:export",
            order=850,
            description=_("Download every table and uploaded file of the workspace."),
            capability=Capability.MANAGE_SETTINGS,
        ))
