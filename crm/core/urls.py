from django.urls import path

from crm.core import views

app_name = "crm"

urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", views.settings_overview, name="settings"),
]
