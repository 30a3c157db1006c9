"""The CRM shell's navigation: each app registers its own entries from AppConfig.ready(),
so the menu shows exactly the areas that exist and the viewer's role may open."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from tenants.users.models import User
from tenants.users.permissions import Capability, can

# Sales areas: those who work them, and read-only users who may look at everything.
SALES_READERS = (Capability.MANAGE_SALES, Capability.SEE_ALL_RECORDS)


@dataclass(frozen=True)
class NavItem:
    section: str | Promise
    label: str | Promise
    url_name: str
    order: int
    # One capability, or several of which any one shows the entry.
    capability: Capability | tuple[Capability, ...] = Capability.USE_CRM


_items: dict[str, NavItem] = {}


def register_nav(item: NavItem) -> None:
    _items[item.url_name] = item


def nav_for(user: User, current_path: str) -> list[dict[str, object]]:
    entries = []
    for item in sorted(_items.values(), key=lambda i: i.order):
        needed = item.capability if isinstance(item.capability, tuple) else (item.capability,)
        if not any(can(user, capability) for capability in needed):
            continue
        url = reverse(item.url_name)
        home = reverse("crm:home")
        active = current_path == url or (url != home and current_path.startswith(url))
        entries.append({"section": item.section, "label": item.label, "url": url, "active": active})
    return entries
