"""The Celery app. tenant-schemas-celery stamps the sender's schema on every task and the
worker switches to it before running: the tenant travels with the task, never from ambient
state in the worker.

Without DJANGO_SETTINGS_MODULE it loads production settings (fail closed), never local ones."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = CeleryApp("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()








from celery.signals import beat_init, worker_init  # noqa: E402

from config.schedules import BEAT_SCHEDULE  # noqa: E402


@worker_init.connect
@beat_init.connect
def _refuse_unsafe_connection_pooling(**kwargs: object) -> None:
    """Workers and beat run no system checks: refuse transaction pooling at start-up."""
    from tenants.pooling import ensure_safe_connection_pooling

    ensure_safe_connection_pooling()


app.conf.beat_schedule = BEAT_SCHEDULE
