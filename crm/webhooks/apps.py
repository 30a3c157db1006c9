from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class WebhooksConfig(ScopedAppConfig):
    name = "crm.webhooks"
    label = "crm_webhooks"
    verbose_name = _("Webhooks")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.core.events import subscriber
        from crm.core.settings_sections import SettingsSection, register_settings_section
        from crm.webhooks import demo  # noqa: F401  (registers the seeder)
        from crm.webhooks.subscribers import queue_deliveries
        from tenants.users.permissions import Capability

        subscriber("*")(queue_deliveries)
        register_settings_section(SettingsSection(
            key="webhooks", label=_("Integrations: webhooks"),
            url_name="crm_webhooks:endpoint_list", order=720,
            description=_("Send signed events to your other systems; see every delivery."),
            capability=Capability.MANAGE_INTEGRATIONS,
        ))
