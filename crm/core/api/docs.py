"""/api/docs/: the Swagger UI for signed-in staff only. The schema view's permission comes
from SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] (IsStaffUser); this page sends anonymous
browsers to the login page instead of answering a bare 401."""

from typing import Any

from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework import exceptions
from rest_framework.response import Response


class StaffSwaggerView(SpectacularSwaggerView):
    def handle_exception(self, exc: Exception) -> Response | Any:
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
