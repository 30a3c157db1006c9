"""What each role may do. The one place that maps roles to capabilities: views, API
permissions, templates and services ask ``can(user, Capability.X)``, never ``user.role``."""

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser

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
    },
    Role.SALES_REP: _STAFF_BASE | {Capability.EDIT_RECORDS, Capability.MANAGE_SALES},
    Role.SERVICE_AGENT: _STAFF_BASE | {Capability.EDIT_RECORDS, Capability.MANAGE_SERVICE},
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
