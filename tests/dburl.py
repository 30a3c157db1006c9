"""The test database's URL for the server and worker processes tests start."""

from urllib.parse import quote

from django.conf import settings


def database_url_for_child_processes() -> str:
    db = settings.DATABASES["default"]
    host = db.get("HOST") or "127.0.0.1"
    # A Unix socket directory goes percent-encoded in the host part (see config.settings).
    netloc_host = quote(host, safe="") if host.startswith("/") else host
    port = f":{db['PORT']}" if db.get("PORT") and not host.startswith("/") else ""
    credentials = quote(db.get("USER") or "postgres", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{netloc_host}{port}/{db['NAME']}"
