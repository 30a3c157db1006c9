"""Sign-in by e-mail on a tenant host, and the language switch that persists per user."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from tenants.users.permissions import Capability, can


class EmailAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("E-mail or password is not correct."),
        "inactive": _("This account is inactive."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail")


class StaffLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

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
