from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from tenants.users.permissions import Capability, can


class IsStaffUser(BasePermission):
    """Staff of this tenant only (never portal members); writes need EDIT_RECORDS."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not can(request.user, Capability.USE_CRM):
            return False
        if request.method in SAFE_METHODS:
            return True
        required = getattr(view, "write_capability", Capability.EDIT_RECORDS)
        return can(request.user, required)
