"""Billing URLs on the public host (Stripe webhooks)."""

app_name = "billing"

urlpatterns: list = []
