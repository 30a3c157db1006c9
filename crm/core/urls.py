from django.urls import path

from crm.core import views

app_name = "crm"

urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", views.settings_overview, name="settings"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_mark_read, name="notifications_read"),
]
