"""URLs of the public host (PLATFORM_DOMAIN): landing, sign-up, operator console, webhooks."""

from django.urls import include, path

from tenants.admin_sites import operator_admin_site
from tenants.public import views as public_views
from tenants.users.views import language_switch

public_patterns = (
    [
        path("", public_views.landing, name="landing"),
        path("signup/", public_views.signup, name="signup"),
        path("signup/check/", public_views.slug_check, name="slug_check"),
        path("signup/progress/<str:token>/", public_views.signup_progress, name="signup_progress"),
        path("signup/progress/<str:token>/status/", public_views.signup_progress_json,
             name="signup_progress_json"),
    ],
    "public",
)

urlpatterns = [
    path("", include(public_patterns)),
    path("operator/tenants/<int:pk>/lifecycle/", include("tenants.lifecycle.urls")),
    # Before the console's own patterns: /operator/admin/ is the operators' Django admin.
    path("operator/admin/", operator_admin_site.urls),
    path("operator/", include("tenants.operator.urls")),
    path("i18n/setlang/", language_switch, name="set_language"),
    path("billing/", include("billing.urls")),
]

handler404 = "tenants.errors.not_found"
handler500 = "tenants.errors.server_error"
