"""Billing commands, one small module per concern (accounts, status, subscriptions, seats,
webhooks, plans, schedules). Each takes keyword-only arguments and the acting user."""
