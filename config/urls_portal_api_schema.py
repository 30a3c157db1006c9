"""The member API mounted where it is served, for its OpenAPI schema only."""

from django.urls import include, path

urlpatterns = [path("portal/api/v1/", include("portal.api_urls"))]
