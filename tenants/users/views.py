"""Sign-in by e-mail on a tenant host, and the language switch that persists per user."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_ratelimit.decorators import ratelimit

from tenants.users.permissions import Capability, can


class EmailAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("E-mail or password is not correct."),
        "inactive": _("This account is inactive."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail")


# Password guessing: per address and per login name (keys are tenant-prefixed by the cache).
@method_decorator(ratelimit(key="ip", rate="30/5m", method="POST", block=False), name="post")
@method_decorator(ratelimit(key="post:username", rate="10/5m", method="POST", block=False),
                  name="post")
class StaffLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "limited", False):
            form = self.get_form()
            form.is_valid()  # keep what was typed; the result does not matter
            form.errors.clear()
            form.add_error(None, _("Too many sign-in attempts. Please wait a few minutes."))
            return render(request, self.template_name, self.get_context_data(form=form),
                          status=429)
        return super().post(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {"username": self.request.GET.get("email", "")}

    def get_default_redirect_url(self) -> str:
        if can(self.request.user, Capability.USE_CRM):
            return "/crm/"
        return "/"


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
