"""Which schema each local app lives in.

Each local AppConfig declares ``tenancy_scope``; ``tenants.checks`` compares the declaration
with SHARED_APPS/TENANT_APPS, so an app cannot land in the wrong schema (or both) by accident.
"""

from enum import StrEnum

from django.apps import AppConfig


class Scope(StrEnum):
    PUBLIC = "public"  # only in the public schema (SHARED_APPS)
    TENANT = "tenant"  # only in each tenant's schema (TENANT_APPS)
    BOTH = "both"  # deliberately in both (the user model: operators and staff)


class ScopedAppConfig(AppConfig):
    tenancy_scope: Scope
