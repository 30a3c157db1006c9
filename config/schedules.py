"""Every periodic schedule, in one place.

Entries without ``tenant_schemas`` run once per customer tenant (tenants.scheduler sends
each inside that tenant's schema); ``"tenant_schemas": ["public"]`` runs once, platform-wide.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    "tenants-refill-warm-pool": {
        "task": "tenants.tasks.refill_warm_pool",
        "schedule": crontab(minute="*/10"),
        "tenant_schemas": ["public"],
    },
}

BEAT_SCHEDULE["tenants-record-seat-usage"] = {
    "task": "tenants.tasks.record_seat_usage",
    "schedule": crontab(minute=15),
}

BEAT_SCHEDULE["billing-daily"] = {  # trial reminders, expired trials and grace periods
    "task": "billing.tasks.billing_daily",
    "schedule": crontab(hour=6, minute=0),
    "tenant_schemas": ["public"],
}
BEAT_SCHEDULE["billing-retry-unprocessed-events"] = {
    "task": "billing.tasks.retry_unprocessed_events",
    "schedule": crontab(minute=40),
    "tenant_schemas": ["public"],
}

BEAT_SCHEDULE["crm-activity-reminders"] = {  # per tenant; each reminder is sent once
    "task": "crm.activities.tasks.send_activity_reminders",
    "schedule": crontab(minute="*/5"),
}
BEAT_SCHEDULE["crm-pool-reclaim"] = {  # per tenant, nightly; idempotent
    "task": "crm.pool.tasks.reclaim_idle_pool_accounts",
    "schedule": crontab(hour=2, minute=30),
}

BEAT_SCHEDULE["crm-dataexport-purge-expired"] = {  # fans out into every customer schema
    "task": "crm.dataexport.tasks.purge_expired_exports_everywhere",
    "schedule": crontab(minute=50),
    "tenant_schemas": ["public"],
}

BEAT_SCHEDULE["crm-webhooks-deliver-due"] = {  # per tenant; retries and rows never queued
    "task": "crm.webhooks.tasks.deliver_due_webhooks",
    "schedule": crontab(minute="*"),
}

BEAT_SCHEDULE["crm-receivables-reminders"] = {  # per tenant, hourly (local dates); once each
    "task": "crm.receivables.tasks.send_receivable_reminders",
    "schedule": crontab(minute=20),
}

BEAT_SCHEDULE["crm-orders-renewal-reminders"] = {  # per tenant, daily; once per contract
    "task": "crm.orders.tasks.send_contract_renewal_reminders",
    "schedule": crontab(hour=7, minute=10),
}

BEAT_SCHEDULE["crm-quotes-expire"] = {  # per tenant, daily; idempotent
    "task": "crm.quotes.tasks.expire_quotes",
    "schedule": crontab(hour=0, minute=20),
}

BEAT_SCHEDULE["crm-service-sla-sweep"] = {  # per tenant, every minute; one indexed query
    "task": "crm.service.sla_tasks.sweep_sla_escalations",
    "schedule": crontab(minute="*"),
}
BEAT_SCHEDULE["crm-service-contract-renewals"] = {  # per tenant, daily; once per contract
    "task": "crm.service.sla_tasks.send_contract_renewal_reminders",
    "schedule": crontab(hour=7, minute=10),
}

BEAT_SCHEDULE["portal-inquiries-send-pending"] = {  # per tenant; the inquiry outbox
    "task": "portal.inquiries.tasks.send_pending_inquiry_notifications",
    "schedule": crontab(minute="*/5"),
}
