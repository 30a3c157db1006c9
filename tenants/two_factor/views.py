"""The code step after the password (staff: /accounts/two-factor/, operators:
/operator/two-factor/) and the enrolment page (staff: /crm/settings/security/two-factor/,
operators: /operator/two-factor/setup/). Adapters over tenants.two_factor.services."""

from typing import Any

import django_otp
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.core.redirects import safe_next
from tenants.security.throttle import (
    throttle_check,
    throttle_record_failure,
    throttle_reset,
)
from tenants.two_factor import services
from tenants.two_factor.forms import CodeForm
from tenants.two_factor.middleware import is_verified
from tenants.two_factor.policy import two_factor_required
from tenants.users.permissions import Capability, can, is_operator


def _next_url(request: HttpRequest, default: str) -> str:
    return safe_next(request, default)


def _verify(request: HttpRequest, *, template: str, default_next: str) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = _next_url(request, default_next)
    if is_verified(user) or not services.two_factor_enabled(user=user):
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        login_name = user.get_username()
        decision = throttle_check(request, login_name)
        if decision.blocked:
            form.is_valid()
            form.add_error(None, decision.message)
            response = render(request, template, {"form": form, "next": next_url}, status=429)
            response["Retry-After"] = str(max(1, decision.retry_after))
            return response
        device = None
        if form.is_valid():
            device = services.two_factor_verify(user=user, token=form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            request.session.cycle_key()
            throttle_reset(request, login_name)
            return redirect(next_url)
        throttle_record_failure(request, login_name)
        if form.is_valid():
            form.add_error("code", _("That code is not correct."))
        status = 400
    return render(request, template, {"form": form, "next": next_url}, status=status)


@require_http_methods(["GET", "POST"])
def staff_verify(request: HttpRequest) -> HttpResponse:
    default = "/crm/" if can(request.user, Capability.USE_CRM) else "/"
    return _verify(request, template="two_factor/verify.html", default_next=default)


@require_http_methods(["GET", "POST"])
def operator_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and not is_operator(request.user):
        raise PermissionDenied("operators only")
    return _verify(request, template="two_factor/operator_verify.html",
                   default_next=reverse("operator:overview"))


def _setup(request: HttpRequest, *, template: str, issuer: str,
           context: dict[str, Any]) -> HttpResponse:
    """One page: start (QR and secret) and confirm; once on, backup codes and turning off."""
    user = request.user
    enabled = services.two_factor_enabled(user=user)
    form = CodeForm(request.POST or None)
    backup_codes: list[str] = []
    status = 200
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if action == "confirm" and not enabled:
                device, backup_codes = services.totp_device_confirm(user=user, token=code)
                # This session proved the code: it counts as verified.
                django_otp.login(request, device)
                enabled = True
                messages.success(request, _("Two-factor authentication is on."))
            elif action == "backup_codes" and enabled:
                backup_codes = services.backup_codes_regenerate(user=user, token=code)
            elif action == "disable" and enabled:
                if two_factor_required(user=user):
                    raise ValidationError(_("Your workspace requires two-factor "
                                            "authentication; it cannot be turned off."))
                services.two_factor_disable(user=user, token=code)
                messages.success(request, _("Two-factor authentication is off."))
                return redirect(request.path)
            else:
                return redirect(request.path)
        except ValidationError as error:
            form.add_error("code", error.messages)
    if action and form.errors:
        status = 400
    device = None
    if not enabled:
        device = services.totp_device_pending(user=user)
        if device is None:
            device = services.totp_device_start(user=user)
    page = {
        **context, "form": form, "enabled": enabled, "backup_codes": backup_codes,
        "required": two_factor_required(user=user),
        "next": _next_url(request, ""),
    }
    if device is not None:
        page["secret"] = services.totp_secret(device)
        page["qr_svg"] = services.qr_code_svg(services.totp_config_url(device, issuer=issuer))
    return render(request, template, page, status=status)


@require_http_methods(["GET", "POST"])
def staff_setup(request: HttpRequest) -> HttpResponse:
    from crm.core.decorators import staff_required
    from crm.core.settings_sections import settings_sections_for

    @staff_required
    def page(request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        return _setup(request, template="two_factor/setup.html",
                      issuer=getattr(tenant, "name", "") or "CRM",
                      context={"sections": settings_sections_for(request.user,
                                                                 request.path)})

    return page(request)


@require_http_methods(["GET", "POST"])
def operator_setup(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('operator:login')}?next={request.path}")
    if not is_operator(request.user):
        raise PermissionDenied("operators only")
    return _setup(request, template="two_factor/operator_setup.html",
                  issuer=_("CRM operator console"), context={})
