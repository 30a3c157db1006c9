"""URLs of the public host (PLATFORM_DOMAIN): landing, sign-up, operator console, webhooks."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from tenants.operator import views as operator_views
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

operator_patterns = (
    [
        path("", operator_views.tenant_list, name="tenants"),
        path("login/", operator_views.OperatorLoginView.as_view(), name="login"),
        path("logout/", auth_views.LogoutView.as_view(next_page="operator:login"), name="logout"),
        path("tenants/<int:pk>/", operator_views.tenant_detail, name="tenant_detail"),
        path("tenants/<int:pk>/<str:action>/", operator_views.tenant_action, name="tenant_action"),
    ],
    "operator",
)

urlpatterns = [
    path("", include(public_patterns)),
    # Before the console's own patterns: its "tenants/<pk>/<action>/" would catch the overview.
    path("operator/tenants/<int:pk>/lifecycle/", include("tenants.lifecycle.urls")),
    path("operator/", include(operator_patterns)),
    path("i18n/setlang/", language_switch, name="set_language"),
    path("billing/", include("billing.urls")),
]

handler404 = "tenants.errors.not_found"
handler500 = "tenants.errors.server_error"
