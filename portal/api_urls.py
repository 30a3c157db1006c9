"""/portal/api/v1/: the member API (also the URLconf its OpenAPI schema is built from).

Other portal areas plug their endpoints in through ``PORTAL_API_URL_MODULES`` (modules
with an ``api_urlpatterns`` list, e.g. the inquiries' ``POST inquiries/``): they are
included ahead of the catch-all JSON 404 that ends this URLconf, which would otherwise
answer for them."""

from importlib import import_module

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from portal import api, api_quotes, api_service
from tenants.errors import api_not_found

router = SimpleRouter()
router.register("quotes", api_quotes.MemberQuoteViewSet, basename="portal-quote")
router.register("catalog", api_quotes.MemberCatalogViewSet, basename="portal-catalog")
router.register("assets", api_service.MemberAssetViewSet, basename="portal-asset")
router.register("service-requests", api_service.MemberServiceRequestViewSet,
                basename="portal-service-request")

# Modules defining ``api_urlpatterns`` under /portal/api/v1/ (besides the member endpoints).
PORTAL_API_URL_MODULES: list[str] = []

urlpatterns = [
    *[pattern for module in PORTAL_API_URL_MODULES
      for pattern in import_module(module).api_urlpatterns],
    path("auth/token/", api.MemberObtainTokenView.as_view(), name="portal-api-token"),
    path("me/", api.MeView.as_view(), name="portal-api-me"),
    path("", include(router.urls)),
    # Last: any other path under /portal/api/v1/ is a JSON 404 for every method.
    re_path(r"^.*/$", api_not_found, name="portal-api-not-found"),
]
