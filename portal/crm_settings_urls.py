"""/crm/settings/portal/: the tenant's portal settings (tenant admins)."""

from django.urls import path

from portal.views import staff

app_name = "portal_settings"

urlpatterns = [path("", staff.settings_edit, name="edit")]
