"""Sign-in by e-mail on a tenant host (staff, Django admin and Wagtail logins and password
resets, all through the one throttle), and the language switch that persists per user."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from wagtail.admin.views import account as wagtail_account

from tenants.security.throttle import LoginThrottleMixin, PasswordResetThrottleMixin
from tenants.users.permissions import Capability, can


class EmailAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("E-mail or password is not correct."),
        "inactive": _("This account is inactive."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail")


# Password guessing: tenants.security.throttle, per login name and per client address.
class StaffLoginView(LoginThrottleMixin, auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_initial(self) -> dict[str, Any]:
        return {"username": self.request.GET.get("email", "")}

    def get_default_redirect_url(self) -> str:
        if can(self.request.user, Capability.USE_CRM):
            return "/crm/"
        return "/"


class StaffPasswordResetView(PasswordResetThrottleMixin, auth_views.PasswordResetView):
    """/accounts/password-reset/: the link is built on the request's (tenant's) host."""


class CmsLoginView(LoginThrottleMixin, wagtail_account.LoginView):
    """Wagtail's /cms/login/, throttled like every sign-in."""


class CmsPasswordResetView(PasswordResetThrottleMixin, wagtail_account.PasswordResetView):
    """Wagtail's /cms/password_reset/, throttled; its e-mail template (overridden in
    templates/wagtailadmin/) links to the request's host, not WAGTAILADMIN_BASE_URL."""


class AdminLoginView(LoginThrottleMixin, auth_views.LoginView):
    """/admin/login/: what ``AdminSite.login`` renders, built on the throttled LoginView
    (``AdminSite.login`` instantiates a plain LoginView that cannot be swapped)."""

    authentication_form = AdminAuthenticationForm
    template_name = "admin/login.html"
    admin_site = admin.site

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "GET" and self.admin_site.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.admin_site.name))
        request.current_app = self.admin_site.name
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request = self.request
        context.update({
            **self.admin_site.each_context(request),
            "title": _("Log in"), "subtitle": None, "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        })
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index",
                                                   current_app=self.admin_site.name)
        return context


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's set_language, and the choice saved on the signed-in user."""
    response = set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in {"en", "zh-hans"} and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response
