from django.urls import path

from crm.service import views

app_name = "crm_service"

urlpatterns = [
    path("service/", views.agent_home, name="home"),
    path("service/availability/", views.availability_set, name="availability"),
    path("service/requests/", views.request_list, name="request_list"),
    path("service/requests/new/", views.request_create, name="request_create"),
    path("service/requests/<int:request_id>/", views.request_detail, name="request_detail"),
    path("service/requests/<int:request_id>/assign/", views.request_assign,
         name="request_assign"),
    path("service/requests/<int:request_id>/status/", views.request_status,
         name="request_status"),
    path("service/requests/<int:request_id>/reopen/", views.request_reopen,
         name="request_reopen"),
    path("service/requests/<int:request_id>/comments/", views.request_comment,
         name="request_comment"),
    path("service/requests/<int:request_id>/work-logs/", views.request_work_log,
         name="request_work_log"),
    path("service/requests/<int:request_id>/attachments/", views.request_attachment,
         name="request_attachment"),
    path("service/requests/<int:request_id>/rate/", views.request_rate, name="request_rate"),
    path("service/assets/", views.asset_list, name="asset_list"),
    path("service/assets/new/", views.asset_create, name="asset_create"),
    path("service/assets/<int:asset_id>/", views.asset_detail, name="asset_detail"),
    path("service/assets/<int:asset_id>/edit/", views.asset_edit, name="asset_edit"),
    path("service/assets/<int:asset_id>/verify/", views.asset_verify, name="asset_verify"),
    path("service/assets/<int:asset_id>/retire/", views.asset_retire, name="asset_retire"),
]
