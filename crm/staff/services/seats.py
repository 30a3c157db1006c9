"""The one seat service. Every path that makes a staff seat (an invitation, accepting it,
reactivation, a portal member turned staff, the users API, the Django admin's add and change
forms, Wagtail's user pages and bulk action) calls ``staff_seat_check`` or
``staff_access_check`` here.

A staff seat is an active staff user, or an open, unexpired invitation (the invitee's user
is inactive until they accept, so the invitation holds the seat). The limit is billing's:
``billing.services.seats.seats_limit``."""

import zlib
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.services.accounts import billing_account_ensure
from billing.services.seats import SeatLimitExceededError, seats_limit
from tenants.models import Tenant, TenantKind
from tenants.seats import seats_in_use
from tenants.urls_util import tenant_url
from tenants.users.models import Role, User, UserKind

BILLING_PATH = "/crm/settings/billing/"


def _customer_tenant() -> Tenant | None:
    tenant = getattr(connection, "tenant", None)
    if tenant is None or getattr(tenant, "kind", None) != TenantKind.CUSTOMER:
        return None
    return tenant


def open_invitations_count(*, now: datetime | None = None,
                           excluding_invitation_id: int | None = None) -> int:
    """Open, unexpired invitations: each holds a seat until accepted, revoked or expired."""
    from crm.staff.models import Invitation

    invitations = Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True,
        expires_at__gt=now or timezone.now(), user__is_active=False,
    )
    if excluding_invitation_id is not None:
        invitations = invitations.exclude(pk=excluding_invitation_id)
    return invitations.count()


def staff_seats_lock() -> None:
    """Serialise seat-making in this schema until the transaction ends (two admins inviting
    at once must not both take the last seat). A no-op outside a transaction."""
    if connection.in_atomic_block:
        key = zlib.crc32(f"staff-seats:{connection.schema_name}".encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def staff_seat_check(*, adding: int = 1, excluding_invitation_id: int | None = None,
                     now: datetime | None = None) -> None:
    """Raise SeatLimitExceededError (its message names the limit) when ``adding`` more staff
    seats would exceed what the tenant pays for. Outside a customer tenant (the public
    schema's operators, the template) there is no limit."""
    if adding <= 0:
        return
    tenant = _customer_tenant()
    if tenant is None:
        return
    limit = seats_limit(billing_account_ensure(tenant=tenant))
    active = seats_in_use()
    held = open_invitations_count(now=now, excluding_invitation_id=excluding_invitation_id)
    if active + held + adding <= limit:
        return
    raise SeatLimitExceededError(
        _("Your plan includes %(limit)s staff seats: %(active)s are in use and %(held)s are "
          "held by open invitations. Add seats or upgrade the plan under Settings > Billing.")
        % {"limit": limit, "active": active, "held": held},
        upgrade_url=tenant_url(tenant, BILLING_PATH), limit=limit, in_use=active + held,
    )


def takes_seat(*, kind: str, is_active: bool) -> bool:
    return kind == UserKind.STAFF and bool(is_active)


def is_active_admin(*, kind: str, role: str, is_active: bool) -> bool:
    return kind == UserKind.STAFF and role == Role.ADMIN and bool(is_active)


def staff_access_check(*, user: User | None, kind: str, role: str, is_active: bool,
                       lock: bool = False) -> None:
    """Check that ``user`` (None: a new user) may become ``kind``/``role``/``is_active``:
    a new staff seat needs a free seat, and the workspace keeps at least one active admin.
    Raises ValidationError (the seat error's message names the limit). ``user`` must still
    hold its stored values. With ``lock``, inside the caller's transaction, concurrent
    changes wait (call it from services; forms check without locking)."""
    before_seat = user is not None and takes_seat(kind=user.kind, is_active=user.is_active)
    if takes_seat(kind=kind, is_active=is_active) and not before_seat:
        if lock:
            staff_seats_lock()
        try:
            staff_seat_check()
        except SeatLimitExceededError as exc:
            raise ValidationError(f"{exc} {exc.upgrade_url}", code="seat_limit") from exc
    was_admin = user is not None and is_active_admin(
        kind=user.kind, role=user.role, is_active=user.is_active)
    if was_admin and not is_active_admin(kind=kind, role=role, is_active=is_active):
        admins = User.objects.filter(kind=UserKind.STAFF, role=Role.ADMIN, is_active=True)
        if lock:
            admins = admins.select_for_update()
        if not any(pk != user.pk for pk in admins.values_list("pk", flat=True)):
            raise ValidationError(
                _("%(user)s is the workspace's last active administrator: make someone else "
                  "an administrator first.") % {"user": user.display_name},
                code="last_admin",
            )
