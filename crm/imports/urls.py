from django.urls import path

from crm.imports import views

app_name = "crm_imports"

urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/upload/", views.import_upload, name="import_upload"),
    path("imports/mapping/", views.import_mapping, name="import_mapping"),
    path("imports/<int:job_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:job_id>/errors/", views.import_error_file, name="import_error_file"),
    path("imports/templates/<slug:kind>/", views.import_template, name="import_template"),
]
