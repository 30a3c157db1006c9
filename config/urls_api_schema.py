"""The CRM API mounted where it is served, for OpenAPI generation only (paths keep their
/api/v1/ prefix; Wagtail's admin API is not in here)."""

from django.urls import include, path

urlpatterns = [path("api/v1/", include("config.urls_api"))]
