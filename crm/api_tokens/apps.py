from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class ApiTokensConfig(ScopedAppConfig):
    name = "crm.api_tokens"
    label = "api_tokens"
    verbose_name = _("API tokens")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_save

        from crm.api_tokens.password_hooks import revoke_tokens_when_password_changes
        from crm.core.settings_sections import SettingsSection, register_settings_section
        from tenants.users.permissions import Capability

        post_save.connect(revoke_tokens_when_password_changes, sender=settings.AUTH_USER_MODEL,
                          dispatch_uid="api_tokens.revoke_on_password_change")
        register_settings_section(SettingsSection(
            key="api_tokens", label=_("Security: API tokens"),
            url_name="api_tokens:token_list", order=700,
            description=_("Your personal API tokens: create, see when they were used, revoke."),
            capability=Capability.USE_CRM,
        ))
