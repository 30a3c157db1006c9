from django.urls import path

from crm.sales import views

app_name = "sales"

urlpatterns = [
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/account-options/", views.account_options, name="account_options"),
    path("opportunities/<int:opportunity_id>/", views.opportunity_detail,
         name="opportunity_detail"),
    path("opportunities/<int:opportunity_id>/edit/", views.opportunity_edit,
         name="opportunity_edit"),
    path("opportunities/<int:opportunity_id>/move/", views.opportunity_move,
         name="opportunity_move"),
    path("opportunities/<int:opportunity_id>/key-actions/<int:key_action_id>/",
         views.opportunity_key_action_toggle, name="opportunity_key_action"),
    path("opportunities/<int:opportunity_id>/committee/", views.opportunity_committee_add,
         name="opportunity_committee_add"),
    path("opportunities/<int:opportunity_id>/committee/<int:contact_id>/remove/",
         views.opportunity_committee_remove, name="opportunity_committee_remove"),
    path("opportunities/<int:opportunity_id>/team/", views.opportunity_team_add,
         name="opportunity_team_add"),
    path("opportunities/<int:opportunity_id>/team/<int:user_id>/remove/",
         views.opportunity_team_remove, name="opportunity_team_remove"),
    path("pipelines/", views.pipeline_list, name="pipeline_list"),
    path("pipelines/board/", views.pipeline_default_board, name="board"),
    path("pipelines/settings/", views.pipeline_settings_index, name="pipeline_settings_index"),
    path("pipelines/<int:pipeline_id>/board/", views.pipeline_board, name="pipeline_board"),
    path("pipelines/<int:pipeline_id>/settings/", views.pipeline_settings,
         name="pipeline_settings"),
    path("forecast/", views.forecast, name="forecast"),
]
