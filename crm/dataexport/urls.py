"""/crm/settings/export/ and /crm/erasure/ (mounted by crm/urls.py)."""

from django.urls import path

from crm.dataexport import erasure_views, views

app_name = "dataexport"

urlpatterns = [
    path("settings/export/", views.export_page, name="export"),
    path("settings/export/start/", views.export_start, name="export_start"),
    path("settings/export/<str:pk>/status/", views.export_status, name="export_status"),
    path("settings/export/<str:pk>/download/", views.export_download, name="export_download"),
    path("erasure/contact/<str:pk>/", erasure_views.contact_erase, name="contact_erase"),
    path("erasure/lead/<str:pk>/", erasure_views.lead_erase, name="lead_erase"),
]
