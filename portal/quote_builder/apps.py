from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class QuoteBuilderConfig(ScopedAppConfig):
    """The portal's quote builder (label ``portal_quote_builder``): the members' saved
    baskets (drafts) and the rules of what a member may request, accept and reject. The
    quotes themselves are the CRM's (crm.quotes); a basket becomes one only when submitted."""

    name = "portal.quote_builder"
    label = "portal_quote_builder"
    verbose_name = _("Portal quote builder")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from portal.quote_builder import demo  # noqa: F401  (registers the seeder)
