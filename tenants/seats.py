"""Seats: active staff users of the current tenant (portal members never count)."""

from django.db import connection

from tenants.models import Tenant
from tenants.users.models import User, UserKind


def seats_in_use() -> int:
    """Active staff users in the current schema."""
    return User.objects.filter(kind=UserKind.STAFF, is_active=True).count()


def seats_record() -> int:
    """Store the current tenant's seat usage on its public row; returns it."""
    seats = seats_in_use()
    Tenant.objects.filter(schema_name=connection.schema_name).update(seats_used=seats)
    return seats
