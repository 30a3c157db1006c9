"""Who reaches the operator console: platform operators (public-schema users of the operator
kind) only. Anonymous visitors go to the sign-in page; anyone else signed in is refused."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from tenants.users.permissions import is_operator
from tenants.users.views import EmailAuthenticationForm, StaffLoginView


def operator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('operator:login')}?next={request.path}")
        if not is_operator(request.user):
            raise PermissionDenied("operators only")
        return view(request, *args, **kwargs)

    return wrapper


class OperatorAuthenticationForm(EmailAuthenticationForm):
    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not is_operator(user):
            # The same answer as a wrong password: nothing tells who else has an account.
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login",
                                  params={"username": self.username_field.verbose_name})


class OperatorLoginView(StaffLoginView):
    """The staff sign-in (and its throttle) restricted to operators."""

    template_name = "operator/login.html"
    authentication_form = OperatorAuthenticationForm
    redirect_authenticated_user = False

    def get_success_url(self) -> str:
        return self.get_redirect_url() or reverse("operator:overview")
