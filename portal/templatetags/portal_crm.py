"""``{% portal_access_panel contact %}``: the contact page's portal box (status and the
invite button for staff who may invite)."""

from typing import Any

from django import template

from portal.models import MemberRole
from portal.staff_selectors import contact_portal_access
from tenants.users.permissions import Capability, can

register = template.Library()


@register.inclusion_tag("portal/staff/_contact_portal.html", takes_context=True)
def portal_access_panel(context: template.Context, contact: Any) -> dict[str, object]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can(user, Capability.INVITE_PORTAL_MEMBERS):
        return {"show": False}
    return {"show": True, "contact": contact, "access": contact_portal_access(contact=contact),
            "roles": MemberRole.choices, "csrf_token": context.get("csrf_token")}
