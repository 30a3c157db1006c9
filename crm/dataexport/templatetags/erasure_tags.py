"""``{% erase_person_button record %}``: the admin-only link to a person's erasure page,
for the contact and lead detail pages."""

from typing import Any

from django import template
from django.urls import reverse

from tenants.users.permissions import Capability, can

register = template.Library()

_URL_NAMES = {"crm_accounts.contact": "dataexport:contact_erase",
              "crm_leads.lead": "dataexport:lead_erase"}


@register.inclusion_tag("crm/dataexport/_erase_button.html", takes_context=True)
def erase_person_button(context: template.Context, record: Any) -> dict[str, object]:
    request = context.get("request")
    user = getattr(request, "user", None)
    url_name = _URL_NAMES.get(record._meta.label_lower)
    if user is None or url_name is None or not can(user, Capability.MANAGE_SETTINGS):
        return {"url": ""}
    return {"url": reverse(url_name, args=[record.pk])}
