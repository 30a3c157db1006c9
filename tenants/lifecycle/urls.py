"""/operator/tenants/<pk>/lifecycle/... on the public host (mounted in config/urls_public.py)."""

from django.urls import path

from tenants.lifecycle import views

app_name = "lifecycle"

urlpatterns = [
    path("", views.lifecycle_overview, name="overview"),
    path("export/", views.export_start, name="export_start"),
    path("exports/<str:export_id>/status/", views.export_status, name="export_status"),
    path("exports/<str:export_id>/download/", views.export_download, name="export_download"),
    path("archive/", views.archive, name="archive"),
    path("delete/", views.delete, name="delete"),
]
