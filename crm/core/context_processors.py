from typing import Any

from django.http import HttpRequest

from crm.core.navigation import nav_for


def crm_shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not request.path.startswith("/crm/") or user is None or not user.is_authenticated:
        return {}
    return {"crm_nav": nav_for(user, request.path)}
