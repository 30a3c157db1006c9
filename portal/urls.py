"""/portal/ on a tenant host: member sign-in, the member area and the member API.
(Other portal areas, such as inquiries, add their own includes here.)"""

from django.urls import include, path

from portal.views import auth, member, quotes

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
    path("quotes/", quotes.quote_list, name="quote_list"),
    path("quotes/<int:quote_id>/", quotes.quote_detail, name="quote_detail"),
    path("quotes/<int:quote_id>/pdf/", quotes.quote_pdf, name="quote_pdf"),
    path("quotes/<int:quote_id>/accept/", quotes.quote_accept, name="quote_accept"),
    path("quotes/<int:quote_id>/reject/", quotes.quote_reject, name="quote_reject"),
    path("quotes/new/", quotes.quote_builder, name="quote_builder"),
    path("quotes/request/", quotes.quote_request_submit, name="quote_request_submit"),
    path("quotes/builder/catalog/", quotes.builder_catalog, name="quote_builder_catalog"),
    path("quotes/builder/add/", quotes.builder_add, name="quote_builder_add"),
    path("quotes/builder/remove/", quotes.builder_remove, name="quote_builder_remove"),
    path("quotes/builder/totals/", quotes.builder_totals, name="quote_builder_totals"),
    path("quotes/drafts/save/", quotes.quote_draft_create, name="quote_draft_create"),
    path("quotes/drafts/<int:draft_id>/", quotes.quote_draft_edit, name="quote_draft"),
    path("quotes/drafts/<int:draft_id>/save/", quotes.quote_draft_update,
         name="quote_draft_update"),
    path("quotes/drafts/<int:draft_id>/submit/", quotes.quote_draft_submit,
         name="quote_draft_submit"),
    path("quotes/drafts/<int:draft_id>/delete/", quotes.quote_draft_delete,
         name="quote_draft_delete"),
    path("assets/", member.asset_list, name="asset_list"),
    path("assets/<int:asset_id>/", member.asset_detail, name="asset_detail"),
    path("service-requests/", member.service_request_list, name="service_request_list"),
    path("service-requests/<int:request_id>/", member.service_request_detail,
         name="service_request_detail"),
    path("profile/", member.profile_edit, name="profile"),
    path("profile/notifications/", member.notification_preferences, name="notifications"),
    path("team/", member.team, name="team"),
    path("memberships/<int:membership_id>/withdraw/", member.colleague_withdraw,
         name="colleague_withdraw"),
    path("api/v1/", include("portal.api_urls")),
]
