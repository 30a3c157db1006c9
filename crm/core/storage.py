"""Storage for files that only a permission-checking view may serve.

It lives outside MEDIA_ROOT (which a web server or CDN may serve, for Wagtail's public image
renditions), under ``PROTECTED_MEDIA_ROOT/<schema>/``: each tenant's files sit in its own
folder, chosen from the connection's schema at every access, never from the request. It has
no URL: ``url()`` refuses, so no template can link a file past ``crm.core.files``.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import connection


class ProtectedTenantStorage(FileSystemStorage):
    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property  # per access: the schema changes from request to request
    def base_location(self) -> str:
        schema = getattr(connection, "schema_name", "") or ""
        if not schema or schema == settings.PUBLIC_SCHEMA_NAME:
            raise PermissionError("Protected files belong to a tenant schema.")
        return os.path.join(str(settings.PROTECTED_MEDIA_ROOT), schema)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Protected files have no URL: serve them through crm.core.files.")


_storage = ProtectedTenantStorage()


def protected_storage() -> ProtectedTenantStorage:
    """Callable for FileField(storage=...): migrations keep the reference, not a path."""
    return _storage
