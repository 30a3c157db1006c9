from django.urls import path

from crm.accounts import views

app_name = "crm_accounts"

urlpatterns = [
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/duplicates/check/", views.duplicate_check, name="duplicate_check"),
    path("accounts/duplicates/", views.duplicates_report, name="duplicates_report"),
    path("accounts/picker/", views.account_picker, name="account_picker"),
    path("accounts/aliases/", views.alias_list, name="alias_list"),
    path("accounts/aliases/<int:pk>/delete/", views.alias_delete, name="alias_delete"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account_edit"),
    path("accounts/<int:pk>/move/", views.account_move, name="account_move"),
    path("accounts/<int:pk>/history/", views.account_history, name="account_history"),
    path("accounts/<int:pk>/committee/", views.account_committee, name="account_committee"),
    path("accounts/<int:pk>/merge/", views.account_merge, name="account_merge"),
    path("accounts/<int:pk>/team/", views.account_team_add, name="account_team_add"),
    path("accounts/<int:pk>/team/<int:user_id>/remove/", views.account_team_remove,
         name="account_team_remove"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
]
