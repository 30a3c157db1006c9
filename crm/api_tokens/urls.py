"""/crm/settings/security/tokens/ (mounted by crm/urls.py)."""

from django.urls import path

from crm.api_tokens import views

app_name = "api_tokens"

urlpatterns = [
    path("", views.token_list, name="token_list"),
    path("new/", views.token_create, name="token_create"),
    path("<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
