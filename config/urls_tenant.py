"""URLs of a tenant's host: staff CRM, API, CMS admin, portal, and the Wagtail site last."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from crm.core.api.docs import StaffSwaggerView
from crm.core.files import protected_file_download
from tenants.errors import api_not_found
from tenants.two_factor import views as two_factor_views
from tenants.users import views as user_views

urlpatterns = [
    path("accounts/login/", user_views.StaffLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor_views.staff_verify, name="two_factor_verify"),
    path("accounts/password-reset/", user_views.StaffPasswordResetView.as_view(),
         name="password_reset"),
    path("accounts/password-reset/done/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("i18n/setlang/", user_views.language_switch, name="set_language"),
    # The inquiry form and API, and the lead page's inquiry panel (before crm/ and Wagtail).
    path("", include("portal.inquiries.urls")),
    path("crm/", include("crm.urls")),
    # The member area and the member API (portal members only).
    path("portal/", include("portal.urls")),
    # Protected files: the record's visibility is checked on every download.
    path("files/<slug:kind>/<int:object_id>/", protected_file_download, name="protected-file"),
    path("api/v1/", include("config.urls_api")),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="config.urls_api_schema"),
         name="api-schema"),
    path("api/docs/", StaffSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # The throttled sign-in and reset views, ahead of the admin's and Wagtail's own.
    path("admin/login/", user_views.AdminLoginView.as_view()),
    # Nothing else under /api/ reaches Wagtail's page view (an HTML CSRF 403 to a POST).
    re_path(r"^api/(?:.*/)?$", api_not_found),
    path("admin/", admin.site.urls),
    path("cms/login/", user_views.CmsLoginView.as_view()),
    path("cms/password_reset/", user_views.CmsPasswordResetView.as_view()),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include(wagtail_urls)),
]

handler400 = "tenants.errors.bad_request"
handler403 = "tenants.errors.permission_denied"
handler404 = "tenants.errors.not_found"
handler500 = "tenants.errors.server_error"
