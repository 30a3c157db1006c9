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








from config.schedules import BEAT_SCHEDULE  # noqa: E402

app.conf.beat_schedule = BEAT_SCHEDULE
