"""/crm/settings/security/tokens/: a staff user's own API tokens (every role)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.api_tokens.forms import ApiTokenForm
from crm.api_tokens.selectors import api_token_get_for, api_token_list_for
from crm.api_tokens.services import api_token_create, api_token_revoke
from crm.core.decorators import staff_required
from crm.core.forms import apply_service_errors


def _page(request: HttpRequest, form: ApiTokenForm, *, secret: str = "") -> HttpResponse:
    from crm.core.settings_sections import settings_sections_for

    return render(request, "crm/api_tokens/token_list.html", {
        "tokens": api_token_list_for(viewer=request.user), "form": form, "secret": secret,
        "sections": settings_sections_for(request.user, request.path),
    })


@require_GET
@staff_required
def token_list(request: HttpRequest) -> HttpResponse:
    return _page(request, ApiTokenForm())


@require_http_methods(["POST"])
@staff_required
def token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            issued = api_token_create(user=request.user, actor=request.user,
                                      name=form.cleaned_data["name"],
                                      scope=form.cleaned_data["scope"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            # The secret is shown in this one answer (never stored, never in a redirect).
            return _page(request, ApiTokenForm(), secret=issued.secret)
    return _page(request, form)


@require_POST
@staff_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = api_token_get_for(viewer=request.user, token_id=token_id)
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens:token_list")
