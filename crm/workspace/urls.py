"""Mounted under /crm/settings/ by crm/urls.py."""

from django.urls import path

from crm.workspace import views

app_name = "crm_workspace"

urlpatterns = [
    path("workspace/", views.workspace_settings, name="settings"),
    path("workspace/logo/", views.workspace_logo, name="logo"),
    path("audit-log/", views.audit_log, name="audit_log"),
    path("audit-log/export.csv", views.audit_log_export, name="audit_log_export"),
]
