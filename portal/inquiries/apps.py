from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class InquiriesConfig(ScopedAppConfig):
    """Its own app (label ``portal_inquiries``) inside the portal package: its own models
    and migrations, apart from the member accounts in ``portal``."""

    name = "portal.inquiries"
    label = "portal_inquiries"
    verbose_name = _("Portal inquiries")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from portal.inquiries import cors  # noqa: F401  (connects the CORS origin check)
