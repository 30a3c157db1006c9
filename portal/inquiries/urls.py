"""/portal/inquiry/ (the form) and /portal/api/v1/inquiries/ (JSON), included from
config/urls_tenant.py; and the lead page's inquiries panel."""

from django.urls import path

from portal.inquiries import api, views

app_name = "portal_inquiries"

urlpatterns = [
    path("portal/inquiry/", views.inquiry_page, name="inquiry"),
    path("portal/api/v1/inquiries/", api.InquiryCreateView.as_view(), name="api-inquiry-create"),
    path("crm/leads/<int:lead_id>/inquiries/", views.lead_inquiries, name="lead_inquiries"),
]
