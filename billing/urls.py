"""Billing URLs on the public host: Stripe webhooks and the operator's billing actions."""

from django.urls import path

from billing.views import operator, webhook

app_name = "billing"

urlpatterns = [
    path("stripe/webhook/", webhook.stripe_webhook, name="stripe_webhook"),
    path("operator/tenants/<int:pk>/grace/", operator.extend_grace, name="extend_grace"),
]
