"""Reads of user administration that the settings pages and the API share."""

from dataclasses import dataclass
from decimal import Decimal

import django_filters
from django.db.models import Case, CharField, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crm.core.api.filters import CrmFilterSet
from crm.core.models import Team
from crm.core.visibility import owner_scope_for
from crm.staff.models import Invitation, RolePolicy
from tenants.users.models import Role, User, UserKind
from tenants.users.permissions import ROLE_CAPABILITIES, Capability, can


class UserStatus:
    INVITED = "invited"
    ACTIVE = "active"
    DEACTIVATED = "deactivated"

    choices = (
        (INVITED, _("Invited")),
        (ACTIVE, _("Active")),
        (DEACTIVATED, _("Deactivated")),
    )


def may_see_users(viewer: User) -> bool:
    return can(viewer, Capability.MANAGE_SETTINGS) or can(viewer, Capability.SEE_TEAM_RECORDS)


def may_manage_users(viewer: User) -> bool:
    return can(viewer, Capability.MANAGE_SETTINGS)


def _staff_users() -> QuerySet[User]:
    open_invitation = Invitation.objects.filter(
        user=OuterRef("pk"), accepted_at__isnull=True, revoked_at__isnull=True)
    return (
        User.objects.filter(kind=UserKind.STAFF)
        .annotate(status=Case(
            When(is_active=True, then=Value(UserStatus.ACTIVE)),
            When(Exists(open_invitation), then=Value(UserStatus.INVITED)),
            default=Value(UserStatus.DEACTIVATED), output_field=CharField(),
        ))
        .select_related("staff_invitation")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
    )


def staff_user_visible_queryset(*, viewer: User) -> QuerySet[User]:
    """Staff users ``viewer`` may see: every one for administrators; for managers the users
    of their teams (the visibility layer's owner scope); nobody for anyone else. Each row is
    annotated with ``status`` (invited, active, deactivated) and has its teams prefetched."""
    if can(viewer, Capability.MANAGE_SETTINGS):
        return _staff_users()
    if can(viewer, Capability.SEE_TEAM_RECORDS):
        scope = owner_scope_for(viewer)
        if scope.sees_all:
            return _staff_users()
        return _staff_users().filter(pk__in=scope.owner_ids)
    return User.objects.none()


class StaffUserFilter(CrmFilterSet):
    """Filters of the users list: the settings page and the API share it."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"))
    status = django_filters.ChoiceFilter(choices=UserStatus.choices, label=_("Status"))

    class Meta:
        model = User
        fields: list[str] = []

    def search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return queryset.filter(Q(email__icontains=value) | Q(first_name__icontains=value)
                               | Q(last_name__icontains=value))


def staff_user_list(*, viewer: User, filters: dict[str, str] | None = None) -> QuerySet[User]:
    """The users page's list, ordered active first, then by name."""
    queryset = staff_user_visible_queryset(viewer=viewer).order_by(
        "-is_active", "first_name", "last_name", "email")
    if filters:
        queryset = StaffUserFilter(filters, queryset=queryset).qs
    return queryset


def staff_user_get_for(*, viewer: User, user_id: int | str) -> User:
    """The staff user by id if ``viewer`` may see them; Http404 for missing, not yours and
    garbage ids alike."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        raise Http404 from None
    found = staff_user_visible_queryset(viewer=viewer).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def invitation_of(user: User) -> Invitation | None:
    try:
        return user.staff_invitation  # reverse one-to-one
    except Invitation.DoesNotExist:
        return None


# Roles -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MatrixRow:
    capability: Capability
    label: "str | Promise"
    allowed: tuple[bool, ...]  # one per role, in ``matrix_roles()`` order


def matrix_roles() -> list[tuple[str, "str | Promise"]]:
    return list(Role.choices)


def role_matrix() -> list[MatrixRow]:
    """What each built-in role may do, read from ROLE_CAPABILITIES (the only copy)."""
    roles = [value for value, _label in matrix_roles()]
    return [
        MatrixRow(capability=capability, label=capability.label, allowed=tuple(
            capability in ROLE_CAPABILITIES.get(role, frozenset()) for role in roles))
        for capability in Capability
    ]


@dataclass(frozen=True)
class RoleLimits:
    role: str
    label: "str | Promise"
    discount_limit_percent: Decimal | None
    approval_limit_amount: Decimal | None


def _limits(role: str) -> tuple[Decimal | None, Decimal | None]:
    from crm.staff.services.role_policies import DEFAULT_ROLE_LIMITS

    policy = RolePolicy.objects.filter(role=role).first()
    if policy is not None:
        return policy.discount_limit_percent, policy.approval_limit_amount
    default = DEFAULT_ROLE_LIMITS.get(role)
    if default is None:  # no role (or an unknown one): nothing without approval
        return Decimal("0"), Decimal("0")
    return default.discount_limit_percent, default.approval_limit_amount


def role_limits_list() -> list[RoleLimits]:
    stored = {policy.role: policy for policy in RolePolicy.objects.all()}
    rows = []
    for role, label in matrix_roles():
        policy = stored.get(role)
        discount, approval = ((policy.discount_limit_percent, policy.approval_limit_amount)
                              if policy is not None else _limits(role))
        rows.append(RoleLimits(role=role, label=label, discount_limit_percent=discount,
                               approval_limit_amount=approval))
    return rows


def role_discount_limit(role: str) -> Decimal | None:
    """The highest discount (percent) ``role`` may give without approval; None = unlimited.
    An empty or unknown role gets 0."""
    return _limits(role)[0]


def role_approval_limit(role: str) -> Decimal | None:
    """The largest amount (workspace currency) ``role`` may approve; None = unlimited. An
    empty or unknown role gets 0."""
    return _limits(role)[1]
