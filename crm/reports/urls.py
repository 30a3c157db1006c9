from django.urls import path

from crm.reports import views

app_name = "crm_reports"

urlpatterns = [
    path("reports/", views.dashboard, name="dashboard"),
    path("reports/exchange-rates/", views.exchange_rates, name="exchange_rates"),
    path("reports/exchange-rates/<int:rate_id>/", views.exchange_rate_edit,
         name="exchange_rate_edit"),
    path("reports/targets/", views.targets, name="targets"),
    path("reports/<slug:slug>/", views.report_detail, name="report"),
]
