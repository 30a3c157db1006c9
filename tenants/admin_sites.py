"""The two Django admin sites, one per kind of host.

- ``admin.site`` (Django's default) is mounted at ``/admin/`` on **tenant hosts** only. It may
  hold models of tenant-schema apps and nothing else: a model of a SHARED-only app resolves
  through a tenant's ``search_path`` (tenant schema, then ``public``) and would list every
  tenant's rows. ``tenants.checks.check_admin_scopes`` fails ``manage.py check`` when one is
  registered there (or as a Wagtail snippet / admin viewset).
- ``operator_admin_site`` is mounted at ``/operator/admin/`` on the **public host** only and
  opens for platform operators only. Platform-wide data (plans, billing accounts, Stripe
  events) is managed there and in the operator console.
"""

from urllib.parse import urlencode

from django.contrib.admin import AdminSite, ModelAdmin
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenants.users.permissions import is_operator


class OperatorAdminSite(AdminSite):
    site_header = _("Platform administration")
    site_title = _("Platform administration")
    index_title = _("Platform data")

    def has_permission(self, request: HttpRequest) -> bool:
        # Public schema only: mounted nowhere else, and refused even if it ever were.
        on_public_schema = connection.schema_name == "public"
        return on_public_schema and is_operator(request.user) and request.user.is_staff

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """One sign-in path for operators: the console's (throttled, audited) login page."""
        target = request.GET.get("next") or reverse("operator_admin:index")
        return HttpResponseRedirect(f"{reverse('operator:login')}?{urlencode({'next': target})}")


operator_admin_site = OperatorAdminSite(name="operator_admin")


class OperatorModelAdmin(ModelAdmin):
    """Model admin for platform data: operators may do what the admin class allows (the
    public schema has no per-model Django permissions for operators to be granted)."""

    def _is_operator(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_operator(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._is_operator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_operator(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._is_operator(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # platform records are kept; plans are deactivated, not deleted
