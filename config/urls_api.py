"""The staff REST API (/api/v1/). Also the only URLconf the OpenAPI schema is built from,
so Wagtail's internal admin API stays out of it."""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from crm.core.api.auth import ObtainTokenView
from crm.routes import api_urlpatterns, register_api_routes
from tenants.errors import api_not_found

router = DefaultRouter()
register_api_routes(router)

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    *api_urlpatterns(),
    path("", include(router.urls)),
    # Last: any other path under /api/v1/ is a JSON 404 for every method.
    re_path(r"^", api_not_found, name="api-not-found"),
]
