"""/crm/settings/billing/ (mounted by crm/urls.py)."""

from django.urls import path

from billing.views import tenant

app_name = "billing_tenant"

urlpatterns = [
    path("", tenant.overview, name="overview"),
    path("checkout/", tenant.checkout, name="checkout"),
    path("portal/", tenant.portal, name="portal"),
    path("seats/", tenant.seats, name="seats"),
]
