from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class UsersConfig(ScopedAppConfig):
    name = "tenants.users"
    label = "users"
    verbose_name = _("Users")
    # Platform operators live in the public schema, staff and portal members in each
    # tenant's schema: the same model, two homes.
    tenancy_scope = Scope.BOTH

    def ready(self) -> None:
        # The sign-in throttle counts failures and clears names through the auth signals.
        from tenants.security import throttle  # noqa: F401
