"""Included by tenants/operator/urls.py (namespace ``operator``)."""

from django.urls import path

from tenants.two_factor import views

urlpatterns = [
    path("two-factor/", views.operator_verify, name="two_factor_verify"),
    path("two-factor/setup/", views.operator_setup, name="two_factor_setup"),
]
