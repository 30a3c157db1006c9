"""Private files of a tenant (exports): under ``PRIVATE_MEDIA_ROOT/<schema>/``, outside
MEDIA_ROOT, with no URL at all. They leave the server only through a view that checks who
asks (crm.dataexport.views.export_download and the operator console)."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import connection


class PrivateTenantStorage(FileSystemStorage):
    """Files of the schema the connection is in; ``url()`` refuses (no public address)."""

    def __init__(self) -> None:
        super().__init__(location=None, base_url=None)

    @property  # not cached: the schema changes per request and per task
    def base_location(self) -> str:
        return os.path.join(settings.PRIVATE_MEDIA_ROOT, connection.schema_name)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private tenant files have no URL; serve them through a view.")


def private_tenant_storage() -> PrivateTenantStorage:
    return PrivateTenantStorage()


def private_root_for(schema_name: str) -> str:
    return os.path.abspath(os.path.join(settings.PRIVATE_MEDIA_ROOT, schema_name))


def media_root_for(schema_name: str) -> str:
    """The tenant's public media folder (TenantFileSystemStorage's location for it)."""
    relative = settings.MULTITENANT_RELATIVE_MEDIA_ROOT % schema_name
    return os.path.abspath(os.path.join(settings.MEDIA_ROOT, relative))


def protected_root_for(schema_name: str) -> str:
    """The tenant's attachments folder (crm.core.storage.ProtectedTenantStorage)."""
    return os.path.abspath(os.path.join(str(settings.PROTECTED_MEDIA_ROOT), schema_name))
