from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class CmsConfig(ScopedAppConfig):
    name = "cms"
    verbose_name = _("Portal site")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from cms import demo, provisioning  # noqa: F401  (registers the steps and seeder)
