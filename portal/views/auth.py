"""Sign-in, sign-out, password reset, invitations and self-registration for members."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal import forms
from portal.access import is_member
from portal.models import SelfRegistration
from portal.services import memberships, registrations
from portal.settings_selectors import portal_settings
from tenants.security.throttle import (
    LoginThrottleMixin,
    PasswordResetThrottleMixin,
    add_throttle_error,
    throttle_check,
    throttle_record_failure,
    throttled_response,
)

SCOPE_REGISTRATION = "portal_registration"
_BACKEND = "django.contrib.auth.backends.ModelBackend"


class PortalLoginView(LoginThrottleMixin, auth_views.LoginView):
    """/portal/login/: e-mail and password, members only, the one sign-in throttle."""

    template_name = "portal/auth/login.html"
    authentication_form = forms.PortalAuthenticationForm
    redirect_authenticated_user = False

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if is_member(request.user):
            return redirect("portal:dashboard")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["registration_open"] = (portal_settings().self_registration
                                        == SelfRegistration.APPROVAL)
        return context

    def get_default_redirect_url(self) -> str:
        return reverse("portal:dashboard")


class PortalLogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("portal:login")


class PortalPasswordResetView(PasswordResetThrottleMixin, auth_views.PasswordResetView):
    """The reset link is built on the request's (tenant's) host and opens the portal's
    confirm page; staff addresses get nothing here."""

    template_name = "portal/auth/password_reset_form.html"
    email_template_name = "portal/email/password_reset.txt"
    subject_template_name = "portal/email/password_reset_subject.txt"
    form_class = forms.MemberPasswordResetForm
    success_url = reverse_lazy("portal:password_reset_done")


class PortalPasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/auth/password_reset_done.html"


class PortalPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/auth/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password_reset_complete")


class PortalPasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/auth/password_reset_complete.html"


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = memberships.member_invitation_from_token(token=token)
    except ValidationError as error:
        return render(request, "portal/auth/link_invalid.html",
                      {"message": error.messages[0]}, status=404)
    person = invitation.membership.user
    form = forms.InvitationAcceptForm(request.POST or None, initial={
        "first_name": person.first_name, "last_name": person.last_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = memberships.member_invitation_accept(
                token=token, password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"])
        except ValidationError as error:
            _apply(form, error, password_field="password1")
        else:
            login(request, user, backend=_BACKEND)
            messages.success(request, _("Welcome! Your password is set."))
            return redirect("portal:dashboard")
    return render(request, "portal/auth/invitation_accept.html", {
        "form": form, "invitation": invitation, "person": person})


def _apply(form: Any, error: ValidationError, *, password_field: str) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            target = password_field if field == "password" else field
            form.add_error(target if target in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _registration_open() -> bool:
    return portal_settings().self_registration == SelfRegistration.APPROVAL


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if not _registration_open():
        raise Http404
    form = forms.RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        decision = throttle_check(request, email, scope=SCOPE_REGISTRATION)
        if decision.blocked:
            add_throttle_error(form, decision)
            response = render(request, "portal/auth/register.html", {"form": form})
            return throttled_response(response, decision)
        throttle_record_failure(request, email, scope=SCOPE_REGISTRATION)
        try:
            registrations.registration_submit(
                email=email, password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                company=form.cleaned_data["company"], phone=form.cleaned_data["phone"],
                language=get_language() or "")
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            _apply(form, error, password_field="password1")
        else:
            return redirect("portal:register_sent")
    return render(request, "portal/auth/register.html", {"form": form})


def register_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/auth/register_sent.html")


def register_verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        registration = registrations.registration_verify(token=token)
    except ValidationError as error:
        return render(request, "portal/auth/link_invalid.html",
                      {"message": error.messages[0]}, status=404)
    return render(request, "portal/auth/register_verified.html",
                  {"registration": registration})
