"""/crm/settings/users/ and /crm/settings/roles/ (administrators; managers read their teams'
users), and /crm/invitations/<token>/ where an invitee sets a password. Thin adapters over
crm.staff services and selectors: one view per action."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.core.decorators import capability_required
from crm.core.forms import apply_service_errors
from crm.staff import selectors
from crm.staff.forms import AcceptInvitationForm, InviteForm, RoleChangeForm, RolePolicyForm
from crm.staff.services import invitations, role_policies, users
from tenants.users.models import Role, User
from tenants.users.permissions import Capability, can

admin_required = capability_required(Capability.MANAGE_SETTINGS)


def users_readers(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Administrators, and managers (read-only, their teams' users)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can(request.user, Capability.USE_CRM) or not selectors.may_see_users(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _list_page(request: HttpRequest, *, invite_form: InviteForm | None = None,
               status: int = 200) -> HttpResponse:
    user_filter = selectors.StaffUserFilter(request.GET or None,
                                            queryset=selectors.staff_user_list(viewer=request.user))
    may_manage = selectors.may_manage_users(request.user)
    return render(request, "crm/staff/user_list.html", {
        "users": user_filter.qs, "filter": user_filter, "may_manage": may_manage,
        "invite_form": invite_form or (InviteForm() if may_manage else None),
    }, status=status)


@require_GET
@users_readers
def user_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@require_POST
@admin_required
def user_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitations.invitation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.")
                             % {"email": invitation.user.email})
            return redirect("staff:user_list")
    return _list_page(request, invite_form=form, status=400)


def _detail_page(request: HttpRequest, person: User, *, role_form: RoleChangeForm | None = None,
                 error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "crm/staff/user_detail.html", {
        "person": person, "invitation": selectors.invitation_of(person),
        "may_manage": selectors.may_manage_users(request.user),
        "role_form": role_form or RoleChangeForm(initial={"role": person.role}),
        "error": error,
        "transfer_url": reverse("pool:transfer") + f"?from={person.pk}&from_user={person.pk}",
    }, status=status)


@require_GET
@users_readers
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    person = selectors.staff_user_get_for(viewer=request.user, user_id=user_id)
    return _detail_page(request, person)


def _act(request: HttpRequest, user_id: int, action: Callable[[User], object],
         success: str) -> HttpResponse:
    person = selectors.staff_user_get_for(viewer=request.user, user_id=user_id)
    try:
        action(person)
    except ValidationError as error:
        return _detail_page(request, person, error=" ".join(error.messages), status=400)
    messages.success(request, success % {"user": person.display_name})
    if not selectors.staff_user_visible_queryset(viewer=request.user).filter(
            pk=person.pk).exists():
        return redirect("staff:user_list")  # a revoked invitee is gone
    return redirect("staff:user_detail", user_id=person.pk)


@require_POST
@admin_required
def user_role(request: HttpRequest, user_id: int) -> HttpResponse:
    person = selectors.staff_user_get_for(viewer=request.user, user_id=user_id)
    form = RoleChangeForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, person, role_form=form, status=400)
    try:
        users.user_role_change(user=person, role=form.cleaned_data["role"], actor=request.user)
    except ValidationError as error:
        apply_service_errors(form, error)
        return _detail_page(request, person, role_form=form, status=400)
    messages.success(request, _("%(user)s is now %(role)s.") % {
        "user": person.display_name, "role": Role(form.cleaned_data["role"]).label})
    return redirect("staff:user_detail", user_id=person.pk)


@require_POST
@admin_required
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _act(request, user_id, lambda person: users.user_deactivate(
        user=person, actor=request.user), _("%(user)s was deactivated; their seat is free."))


@require_POST
@admin_required
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _act(request, user_id, lambda person: users.user_reactivate(
        user=person, actor=request.user), _("%(user)s was reactivated."))


@require_POST
@admin_required
def user_password_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    return _act(request, user_id, lambda person: users.user_password_reset_send(
        user=person, actor=request.user), _("A password reset e-mail is on its way to %(user)s."))


def _invitation_action(request: HttpRequest, user_id: int, action: Callable[..., object],
                       success: str) -> HttpResponse:
    def run(person: User) -> object:
        invitation = selectors.invitation_of(person)
        if invitation is None:
            raise ValidationError(_("%(user)s has no invitation.") % {"user": person.display_name})
        return action(invitation=invitation, actor=request.user)

    return _act(request, user_id, run, success)


@require_POST
@admin_required
def invitation_resend(request: HttpRequest, user_id: int) -> HttpResponse:
    return _invitation_action(request, user_id, invitations.invitation_resend,
                              _("A new invitation link was sent to %(user)s."))


@require_POST
@admin_required
def invitation_revoke(request: HttpRequest, user_id: int) -> HttpResponse:
    return _invitation_action(request, user_id, invitations.invitation_revoke,
                              _("The invitation of %(user)s was revoked."))


@require_GET
@admin_required
def role_list(request: HttpRequest) -> HttpResponse:
    return render(request, "crm/staff/role_list.html", {
        "roles": selectors.matrix_roles(), "matrix": selectors.role_matrix(),
        "limits": selectors.role_limits_list(),
        "currency": getattr(request.tenant, "currency", ""),
    })


@require_http_methods(["GET", "POST"])
@admin_required
def role_edit(request: HttpRequest, role: str) -> HttpResponse:
    if role not in Role.values:
        raise Http404
    current = next(limits for limits in selectors.role_limits_list() if limits.role == role)
    form = RolePolicyForm(request.POST or None, initial={
        "discount_limit_percent": current.discount_limit_percent,
        "approval_limit_amount": current.approval_limit_amount,
    })
    if request.method == "POST" and form.is_valid():
        try:
            role_policies.role_policy_update(role=role, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Limits of %(role)s saved.") % {"role": Role(role).label})
            return redirect("staff:role_list")
    return render(request, "crm/staff/role_form.html", {
        "form": form, "role_label": Role(role).label,
        "currency": getattr(request.tenant, "currency", ""),
    }, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone holding the link (it is the credential), on the inviting tenant's host
    only: the signature includes the schema."""
    try:
        invitation = invitations.invitation_from_token(token=token)
    except ValidationError as error:
        return render(request, "crm/staff/invitation_invalid.html",
                      {"message": " ".join(error.messages)}, status=404)
    person = invitation.user
    form = AcceptInvitationForm(request.POST or None, initial={
        "first_name": person.first_name, "last_name": person.last_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.invitation_accept(
                token=token, password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"])
        except ValidationError as error:
            if hasattr(error, "error_dict") and "password" in error.error_dict:
                for message in error.message_dict["password"]:
                    form.add_error("password1", message)
            else:
                apply_service_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("crm:home")
    return render(request, "crm/staff/invitation_accept.html", {
        "form": form, "person": person,
    }, status=400 if form.errors else 200)
