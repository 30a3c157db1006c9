from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class TwoFactorConfig(ScopedAppConfig):
    """TOTP two-factor sign-in (django-otp) for staff on tenant hosts and operators on the
    public host: enrolment, the code step after the password, backup codes, the middleware
    that holds unverified sessions back. No models of its own (django-otp's devices live in
    both schemas)."""

    name = "tenants.two_factor"
    label = "two_factor"
    verbose_name = _("Two-factor authentication")
    tenancy_scope = Scope.BOTH

    def ready(self) -> None:
        from crm.core.settings_sections import SettingsSection, register_settings_section
        from tenants.two_factor import services  # noqa: F401  (signal receivers)
        from tenants.users.permissions import Capability

        register_settings_section(SettingsSection(
            key="two_factor", label=_("Two-factor authentication"),
            url_name="two_factor:setup", order=610,
            description=_("Protect your sign-in with a code from an authenticator app."),
            capability=Capability.USE_CRM,
        ))
