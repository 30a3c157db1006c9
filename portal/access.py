"""The door of the member area: who is a member, which account is current.

``member_required`` lets only active portal members through (anonymous visitors go to the
portal sign-in; staff and everyone else get a 403 page, by construction: a staff user has
no memberships). The current account lives in the session and is checked against the
member's active memberships on every request: a withdrawn membership or a forged session
value falls back to the member's first account."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from portal.models import MemberRole, PortalMembership
from portal.selectors import PortalScope, member_memberships, member_scope
from tenants.users.models import User, UserKind

SESSION_ACCOUNT_KEY = "portal_account_id"


@dataclass(frozen=True)
class PortalContext:
    member: User
    membership: PortalMembership  # the current account's
    memberships: tuple[PortalMembership, ...]
    scope: PortalScope  # the current account's scope

    @property
    def account(self) -> Any:
        return self.membership.account

    @property
    def is_customer_admin(self) -> bool:
        return self.membership.role == MemberRole.CUSTOMER_ADMIN


def is_member(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active
                and getattr(user, "kind", None) == UserKind.MEMBER)


def portal_context(request: HttpRequest) -> PortalContext | None:
    """The member's context with the current account checked; None without a membership."""
    user = request.user
    memberships = tuple(member_memberships(user))
    if not memberships:
        return None
    wanted = request.session.get(SESSION_ACCOUNT_KEY)
    current = next((m for m in memberships if m.account_id == wanted), memberships[0])
    if current.account_id != wanted:
        request.session[SESSION_ACCOUNT_KEY] = current.account_id
    scope = member_scope(user, for_account=current.account_id,
                         memberships=memberships)
    return PortalContext(member=user, membership=current,
                         memberships=memberships, scope=scope)


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if not is_member(request.user):
            return render(request, "portal/not_a_member.html", status=403)
        context = portal_context(request)
        if context is None:
            return render(request, "portal/no_account.html", status=403)
        request.portal = context
        return view(request, *args, **kwargs)

    return wrapper
