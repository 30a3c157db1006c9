"""What each role may do. The one place that maps roles to capabilities: views, API
permissions, templates and services ask ``can(user, Capability.X)``, never ``user.role``."""

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tenants.users.models import Role, User, UserKind


class Capability(StrEnum):
    USE_CRM = "use_crm"  # open /crm/ and the staff API at all
    EDIT_RECORDS = "edit_records"  # create and change CRM records
    # delete CRM records (a merge deletes the losing accounts); managers only records of
    # the users they manage (crm.core.visibility.managed_user_ids)
    DELETE_RECORDS = "delete_records"
    SEE_ALL_RECORDS = "see_all_records"  # no ownership/team scoping
    SEE_TEAM_RECORDS = "see_team_records"  # records of the teams one manages
    ASSIGN_RECORDS = "assign_records"  # assign pool accounts, transfer ownership
    OVERRIDE_KEY_ACTIONS = "override_key_actions"  # move a deal past unmet key actions
    MANAGE_SALES = "manage_sales"  # leads, opportunities, pipeline work
    MANAGE_SERVICE = "manage_service"  # service requests, assets
    MANAGE_SETTINGS = "manage_settings"  # users, roles, teams, pipelines, pool rules
    MANAGE_BILLING = "manage_billing"
    EDIT_PORTAL = "edit_portal"  # Wagtail /cms/
    MANAGE_CATALOG = "manage_catalog"  # price books and their entries (crm.catalog)
    MANAGE_INTEGRATIONS = "manage_integrations"  # outbound webhooks (crm.webhooks)
    # invite a contact to the customer portal, approve or reject self-registrations (portal)
    INVITE_PORTAL_MEMBERS = "invite_portal_members"
    # finance: record payments, receive receivables reminders, reimburse expenses
    MANAGE_FINANCE = "manage_finance"
    MANAGE_SLA = "manage_sla"  # SLA policies, SLA settings and service contracts

    @property
    def label(self) -> "str | Promise":
        """What the capability allows, in words (the roles page's matrix shows these)."""
        return CAPABILITY_LABELS[self]


# One human label per capability (a test fails when a new capability has none).
CAPABILITY_LABELS: dict[Capability, "str | Promise"] = {
    Capability.USE_CRM: _("Open the CRM and the staff API"),
    Capability.EDIT_RECORDS: _("Create and change records"),
    Capability.DELETE_RECORDS: _("Delete and merge records (managers: their teams' records)"),
    Capability.SEE_ALL_RECORDS: _("See every record, whoever owns it"),
    Capability.SEE_TEAM_RECORDS: _("See the records of the teams they manage"),
    Capability.ASSIGN_RECORDS: _("Assign pool accounts and transfer ownership"),
    Capability.OVERRIDE_KEY_ACTIONS: _("Move a deal past unmet key actions"),
    Capability.MANAGE_SALES: _("Work leads, opportunities and the pipeline"),
    Capability.MANAGE_SERVICE: _("Work service requests and assets"),
    Capability.MANAGE_SETTINGS: _("Manage users, roles, teams and workspace settings"),
    Capability.MANAGE_BILLING: _("Manage the plan, seats and payment"),
    Capability.EDIT_PORTAL: _("Edit the customer portal site (/cms/)"),
    Capability.MANAGE_CATALOG: _("Manage price books and their prices"),
    Capability.MANAGE_INTEGRATIONS: _("Manage webhooks and see their deliveries"),
    Capability.INVITE_PORTAL_MEMBERS: _("Invite contacts to the customer portal and approve "
                                        "portal registrations"),
    Capability.MANAGE_FINANCE: _("Record payments, receive receivables reminders and "
                                 "reimburse expenses"),
    Capability.MANAGE_SLA: _("Manage SLA policies and service contracts"),
}


_STAFF_BASE = frozenset({Capability.USE_CRM})

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.MANAGER: _STAFF_BASE
    | {
        Capability.EDIT_RECORDS,
        Capability.DELETE_RECORDS,
        Capability.SEE_TEAM_RECORDS,
        Capability.ASSIGN_RECORDS,
        Capability.OVERRIDE_KEY_ACTIONS,
        Capability.MANAGE_SALES,
        Capability.EDIT_PORTAL,
        Capability.MANAGE_CATALOG,
        Capability.INVITE_PORTAL_MEMBERS,
        Capability.MANAGE_SLA,
    },
    Role.SALES_REP: _STAFF_BASE | {Capability.EDIT_RECORDS, Capability.MANAGE_SALES,
                                   Capability.INVITE_PORTAL_MEMBERS},
    Role.SERVICE_AGENT: _STAFF_BASE | {Capability.EDIT_RECORDS, Capability.MANAGE_SERVICE,
                                       Capability.INVITE_PORTAL_MEMBERS},
    Role.READ_ONLY: _STAFF_BASE | {Capability.SEE_ALL_RECORDS},
}


def capabilities_of(user: User | AnonymousUser) -> frozenset[Capability]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if getattr(user, "kind", None) != UserKind.STAFF:
        return frozenset()
    return ROLE_CAPABILITIES.get(user.role, frozenset())


def can(user: User | AnonymousUser, capability: Capability) -> bool:
    """True when the user's role grants the capability in the current tenant."""
    return capability in capabilities_of(user)


def is_operator(user: User | AnonymousUser) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and getattr(user, "kind", None) == UserKind.OPERATOR
    )
