from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class PortalConfig(ScopedAppConfig):
    name = "portal"
    verbose_name = _("Customer portal")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.core.navigation import NavItem, register_nav
        from crm.core.settings_sections import SettingsSection, register_settings_section
        from portal import demo  # noqa: F401  (registers the seeder)
        from tenants.users.permissions import Capability

        self._register_service_rules()

        register_nav(NavItem(section=_("Customer portal"), label=_("Portal registrations"),
                             url_name="portal_staff:registration_list", order=860,
                             capability=Capability.INVITE_PORTAL_MEMBERS))
        register_settings_section(SettingsSection(
            key="portal", label=_("Customer portal"), url_name="portal_settings:edit",
            order=450,
            description=_("Who may register, whether customer admins see branch accounts, "
                          "whether list prices are public."),
        ))

    @staticmethod
    def _register_service_rules() -> None:
        """crm.service asks the portal which accounts and requests a member sees and whether
        the member at a contact wants an e-mail; status changes e-mail the members."""
        from crm.core.events import subscriber
        from crm.service import members
        from portal import selectors
        from portal.service_notifications import queue_status_email

        members.register_member_accounts(
            lambda viewer: selectors.member_accounts(viewer).order_by().values("pk"))
        members.register_member_requests(selectors.member_request_ids)
        members.register_customer_recipients(selectors.member_customer_recipients)
        subscriber("service_request.status_changed")(queue_status_email)
