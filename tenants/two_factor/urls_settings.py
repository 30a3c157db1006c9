"""/crm/settings/security/two-factor/ (mounted by crm/urls.py)."""

from django.urls import path

from tenants.two_factor import views

app_name = "two_factor"

urlpatterns = [
    path("", views.staff_setup, name="setup"),
]
