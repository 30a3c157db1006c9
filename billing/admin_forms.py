"""The Django admin's "add user" form with the seat limit (tenants.users.admin uses it)."""

from typing import Any

from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.db import connection

from billing.services.seats import SeatLimitExceededError, seats_check_can_add
from tenants.models import TenantKind


class SeatCheckedUserCreationForm(AdminUserCreationForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        tenant = getattr(connection, "tenant", None)
        # Staff users take seats in customer tenants; operators (public schema) do not.
        if tenant is not None and getattr(tenant, "kind", None) == TenantKind.CUSTOMER:
            try:
                seats_check_can_add(tenant)
            except SeatLimitExceededError as exc:
                raise ValidationError(f"{exc} {exc.upgrade_url}") from exc
        return cleaned
