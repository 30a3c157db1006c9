from django.urls import path

from crm.core import settings_views, views

app_name = "crm"

urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", views.settings_overview, name="settings"),
    path("settings/teams/", settings_views.team_list_view, name="team_list"),
    path("settings/teams/new/", settings_views.team_create_view, name="team_create"),
    path("settings/teams/<int:team_id>/", settings_views.team_edit_view, name="team_edit"),
    path("settings/teams/<int:team_id>/archive/", settings_views.team_archive_view,
         name="team_archive"),
    path("settings/teams/<int:team_id>/restore/", settings_views.team_restore_view,
         name="team_restore"),
    path("settings/regions/", settings_views.region_list_view, name="region_list"),
    path("settings/regions/new/", settings_views.region_edit_view, name="region_create"),
    path("settings/regions/<int:region_id>/", settings_views.region_edit_view,
         name="region_edit"),
    path("settings/sales/", settings_views.sales_settings_view, name="sales_settings"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_mark_read, name="notifications_read"),
]
