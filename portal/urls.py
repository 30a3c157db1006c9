"""/portal/ on a tenant host: member sign-in, the member area and the member API.
(Other portal areas, such as inquiries, add their own includes here.)"""

from django.urls import include, path

from portal.views import auth, member, service

app_name = "portal"

urlpatterns = [
    path("", member.dashboard, name="dashboard"),
    path("login/", auth.PortalLoginView.as_view(), name="login"),
    path("logout/", auth.PortalLogoutView.as_view(), name="logout"),
    path("password-reset/", auth.PortalPasswordResetView.as_view(), name="password_reset"),
    path("password-reset/done/", auth.PortalPasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth.PortalPasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("reset/done/", auth.PortalPasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("invitation/<str:token>/", auth.invitation_accept, name="invitation_accept"),
    path("register/", auth.register, name="register"),
    path("register/sent/", auth.register_sent, name="register_sent"),
    path("register/verify/<str:token>/", auth.register_verify, name="register_verify"),
    path("account/switch/", member.account_switch, name="account_switch"),
    path("quotes/", member.quote_list, name="quote_list"),
    path("quotes/<int:quote_id>/", member.quote_detail, name="quote_detail"),
    path("assets/", member.asset_list, name="asset_list"),
    path("assets/register/", service.asset_register, name="asset_register"),
    path("assets/<int:asset_id>/", member.asset_detail, name="asset_detail"),
    path("service-requests/", member.service_request_list, name="service_request_list"),
    path("service-requests/new/", service.service_request_new, name="service_request_new"),
    path("service-requests/<int:request_id>/", service.service_request_detail,
         name="service_request_detail"),
    path("service-requests/<int:request_id>/reply/", service.service_request_reply,
         name="service_request_reply"),
    path("service-requests/<int:request_id>/close/", service.service_request_close_view,
         name="service_request_close"),
    path("service-requests/<int:request_id>/reopen/", service.service_request_reopen_view,
         name="service_request_reopen"),
    path("service-requests/<int:request_id>/rate/", service.service_request_rate_view,
         name="service_request_rate"),
    path("service-requests/<int:request_id>/files/<int:attachment_id>/",
         service.service_request_file, name="service_request_file"),
    path("profile/", member.profile_edit, name="profile"),
    path("profile/notifications/", member.notification_preferences, name="notifications"),
    path("team/", member.team, name="team"),
    path("memberships/<int:membership_id>/withdraw/", member.colleague_withdraw,
         name="colleague_withdraw"),
    path("api/v1/", include("portal.api_urls")),
]
