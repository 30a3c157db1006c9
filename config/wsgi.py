"""WSGI entry point. Without DJANGO_SETTINGS_MODULE it loads production settings (fail closed:
no DEBUG, SECRET_KEY required), never the local ones."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

from tenants.pooling import ensure_safe_connection_pooling  # noqa: E402  (needs apps loaded)

ensure_safe_connection_pooling()
