"""The staff REST API (/api/v1/). Also the only URLconf the OpenAPI schema is built from,
so Wagtail's internal admin API stays out of it."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from crm.core.api.auth import ObtainTokenView
from crm.routes import api_urlpatterns, register_api_routes

router = DefaultRouter()
register_api_routes(router)

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    *api_urlpatterns(),
    path("", include(router.urls)),
]
