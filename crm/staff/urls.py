from django.urls import path

from crm.staff import views

app_name = "staff"

urlpatterns = [
    path("settings/users/", views.user_list, name="user_list"),
    path("settings/users/invite/", views.user_invite, name="user_invite"),
    path("settings/users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("settings/users/<int:user_id>/role/", views.user_role, name="user_role"),
    path("settings/users/<int:user_id>/deactivate/", views.user_deactivate,
         name="user_deactivate"),
    path("settings/users/<int:user_id>/reactivate/", views.user_reactivate,
         name="user_reactivate"),
    path("settings/users/<int:user_id>/password-reset/", views.user_password_reset,
         name="user_password_reset"),
    path("settings/users/<int:user_id>/invitation/resend/", views.invitation_resend,
         name="invitation_resend"),
    path("settings/users/<int:user_id>/invitation/revoke/", views.invitation_revoke,
         name="invitation_revoke"),
    path("settings/roles/", views.role_list, name="role_list"),
    path("settings/roles/<str:role>/", views.role_edit, name="role_edit"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
