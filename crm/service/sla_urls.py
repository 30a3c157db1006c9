from django.urls import path

from crm.service import sla_views as views

app_name = "crm_sla"

urlpatterns = [
    path("service/sla-policies/", views.policy_list, name="policy_list"),
    path("service/sla-policies/new/", views.policy_create, name="policy_create"),
    path("service/sla-policies/holiday-proposal/", views.holiday_proposal,
         name="holiday_proposal"),
    path("service/sla-policies/settings/", views.settings_update, name="settings_update"),
    path("service/sla-policies/<int:policy_id>/", views.policy_detail, name="policy_detail"),
    path("service/sla-policies/<int:policy_id>/edit/", views.policy_edit, name="policy_edit"),
    path("service/contracts/", views.contract_list, name="contract_list"),
    path("service/contracts/new/", views.contract_create, name="contract_create"),
    path("service/contracts/<int:contract_id>/", views.contract_detail,
         name="contract_detail"),
    path("service/contracts/<int:contract_id>/edit/", views.contract_edit,
         name="contract_edit"),
    path("service/reports/", views.service_reports, name="reports"),
]
