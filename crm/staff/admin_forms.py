"""The Django admin's user forms with the seat service and the last-administrator rule
(tenants.users.admin uses them): adding staff, re-activating, or turning a portal member
into staff needs a free seat; the workspace keeps one active administrator."""

from typing import Any

from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from crm.staff.services.seats import staff_access_check
from tenants.users.models import User, UserKind


def _check(form: Any, user: User | None, cleaned: dict[str, Any]) -> None:
    from django.core.exceptions import ValidationError

    defaults = user or User(kind=UserKind.STAFF, is_active=True)
    try:
        staff_access_check(
            user=user,
            kind=cleaned.get("kind", defaults.kind),
            role=cleaned.get("role", defaults.role),
            is_active=cleaned.get("is_active", defaults.is_active),
        )
    except ValidationError as error:
        form.add_error(None, error)


class StaffSeatUserCreationForm(AdminUserCreationForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _check(self, None, cleaned)
        return cleaned


class StaffSeatUserChangeForm(UserChangeForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # clean() runs before the form copies its data onto the instance: the instance
        # still holds the stored kind, role and active flag.
        _check(self, self.instance, cleaned)
        return cleaned
