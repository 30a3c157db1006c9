"""/crm/settings/webhooks/ (mounted by crm/urls.py)."""

from django.urls import path

from crm.webhooks import views

app_name = "crm_webhooks"

urlpatterns = [
    path("", views.endpoint_list_view, name="endpoint_list"),
    path("new/", views.endpoint_create_view, name="endpoint_create"),
    path("<int:endpoint_id>/", views.endpoint_detail_view, name="endpoint_detail"),
    path("<int:endpoint_id>/test/", views.endpoint_test_view, name="endpoint_test"),
    path("<int:endpoint_id>/delete/", views.endpoint_delete_view, name="endpoint_delete"),
]
