"""Sections of the tenant settings area (/crm/settings/): each app registers its own pages
from AppConfig.ready(), so the settings overview and its sidebar list exactly the sections
that exist and that the viewer's role may open (users, teams, roles, workspace, security,
sales settings, billing, audit log, data export...)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from tenants.users.models import User
from tenants.users.permissions import Capability, can


@dataclass(frozen=True)
class SettingsSection:
    key: str
    label: str | Promise
    url_name: str
    order: int
    description: str | Promise = ""
    # One capability, or several of which any one shows the section.
    capability: Capability | tuple[Capability, ...] = Capability.MANAGE_SETTINGS


_sections: dict[str, SettingsSection] = {}


def register_settings_section(section: SettingsSection) -> None:
    _sections[section.key] = section


def settings_sections_for(user: User, current_path: str = "") -> list[dict[str, object]]:
    """The sections ``user`` may open, in order, with the one holding ``current_path``
    marked active."""
    entries = []
    for section in sorted(_sections.values(), key=lambda s: s.order):
        needed = (section.capability if isinstance(section.capability, tuple)
                  else (section.capability,))
        if not any(can(user, capability) for capability in needed):
            continue
        url = reverse(section.url_name)
        entries.append({
            "key": section.key, "label": section.label, "url": url,
            "description": section.description,
            "active": bool(current_path) and current_path.startswith(url),
        })
    return entries
