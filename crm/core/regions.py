"""The tenant's region/territory list: commands, reads, and the one check that accounts,
leads and assignment rules run on the region they are given.

Accounts, leads, assignment rules (and pools) keep the region as text (the name); teams
point at the row. While a tenant has no list yet, region stays free text, so a new tenant
and every import keep working; once the list exists, new values must be on it (any case,
stored in the list's spelling). A record's current value is kept on edit even when it is
not on the list (values from before the list, or of a region since deactivated). Renaming a
region renames it on every record that holds the old name.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.core.models import Region
from tenants.users.models import User
from tenants.users.permissions import Capability, can

# Text columns that hold a region name: a rename follows into each (resolved lazily, so
# crm.core imports none of these apps).
REGION_TEXT_FIELDS: tuple[tuple[str, str], ...] = (
    ("crm_accounts.Account", "region"),
    ("crm_leads.Lead", "region"),
    ("crm_leads.AssignmentRule", "match_region"),
    ("crm_pool.Pool", "region"),
)


# --- reads --------------------------------------------------------------------------

def region_list(*, active_only: bool = False) -> QuerySet[Region]:
    """The tenant's regions (every staff user may read the list), regions before their
    territories."""
    queryset = Region.objects.select_related("parent")
    if active_only:
        queryset = queryset.filter(active=True)
    return queryset.order_by("name")


def region_get(*, region_id: int | str) -> Region:
    """One region by id; Http404 for missing and garbage ids."""
    try:
        pk = int(region_id)
    except (TypeError, ValueError):
        raise Http404 from None
    region = Region.objects.select_related("parent").filter(pk=pk).first()
    if region is None:
        raise Http404
    return region


def region_label(region: Region) -> str:
    return f"{region.parent.name} / {region.name}" if region.parent_id else region.name


def region_choices(*, current: str = "") -> list[tuple[str, str]] | None:
    """(value, label) pairs for a region select: the active list, territories under their
    region, plus ``current`` when it is off the list; None while the tenant has no list."""
    regions = list(region_list())
    if not regions:
        return None
    active = [region for region in regions if region.active]
    active.sort(key=lambda r: (r.parent.name if r.parent_id else r.name, r.parent_id or 0,
                               r.name))
    choices = [("", "—"), *((region.name, region_label(region)) for region in active)]
    listed = {value.casefold() for value, _label in choices}
    if current and current.strip().casefold() not in listed:
        choices.append((current, _("%(region)s (not on the list)") % {"region": current}))
    return choices


def region_clean(value: str | None, *, field: str = "region", current: str = "") -> str:
    """The value to store for a region given by a person or an integration (see the module
    docstring); ValidationError naming ``field`` when it is not on the tenant's list."""
    cleaned = (value or "").strip()
    if not cleaned:
        return ""
    if cleaned.casefold() == (current or "").strip().casefold():
        return current.strip()
    listed = Region.objects.filter(active=True, name__iexact=cleaned).values_list(
        "name", flat=True).first()
    if listed is not None:
        return listed
    if not Region.objects.exists():
        return cleaned
    raise ValidationError({field: _("Choose a region from the list (Settings / Regions).")})


def region_or_blank(value: str | None) -> str:
    """A region copied from another record: kept when it passes ``region_clean``, else
    left out (the source record keeps it)."""
    try:
        return region_clean(value)
    except ValidationError:
        return ""


# --- commands -----------------------------------------------------------------------

def _require_admin(actor: User) -> None:
    if not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied(_("Only administrators may change regions."))


def _clean(region: Region) -> None:
    region.name = (region.name or "").strip()
    errors: dict[str, str] = {}
    if not region.name:
        errors["name"] = _("Enter the region's name.")
    elif len(region.name) > 100:
        errors["name"] = _("Use at most 100 characters.")
    elif Region.objects.filter(name__iexact=region.name).exclude(pk=region.pk).exists():
        errors["name"] = _("A region is already called %(name)s.") % {"name": region.name}
    parent = region.parent
    if parent is not None:
        if region.pk is not None and parent.pk == region.pk:
            errors["parent"] = _("A region cannot be part of itself.")
        elif parent.parent_id is not None:
            errors["parent"] = _("Territories belong to a region, not to another territory.")
        elif region.pk is not None and region.territories.exists():
            errors["parent"] = _("This region has territories of its own.")
    if errors:
        raise ValidationError(errors)


def _resolve_parent(parent: Region | int | None) -> Region | None:
    if parent is None or isinstance(parent, Region):
        return parent
    found = Region.objects.filter(pk=parent).first() if isinstance(parent, int) else None
    if found is None:
        raise ValidationError({"parent": _("No region with this id.")})
    return found


def _save(region: Region) -> None:
    try:
        with transaction.atomic():
            region.save()
    except IntegrityError:
        raise ValidationError({"name": _("A region is already called %(name)s.")
                               % {"name": region.name}}) from None


@transaction.atomic
def region_create(*, actor: User, name: str, parent: Region | int | None = None,
                  active: bool = True) -> Region:
    _require_admin(actor)
    region = Region(name=name, parent=_resolve_parent(parent), active=active)
    _clean(region)
    _save(region)
    audit_event(instance=region, action="region.created", actor=actor,
                data={"name": region.name, "parent": region.parent_id, "active": active})
    return region


@transaction.atomic
def region_update(*, region: Region, actor: User, name: str, parent: Region | int | None,
                  active: bool) -> Region:
    """Change a region; a new name follows into every record that held the old one."""
    _require_admin(actor)
    region = Region.objects.select_for_update().get(pk=region.pk)
    before = {"name": region.name, "parent": region.parent_id, "active": region.active}
    region.name, region.parent, region.active = name, _resolve_parent(parent), active
    _clean(region)
    _save(region)
    renamed: dict[str, int] = {}
    if region.name != before["name"]:
        for label, field in REGION_TEXT_FIELDS:
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            count = model.objects.filter(**{f"{field}__iexact": before["name"]}).update(
                **{field: region.name})
            if count:
                renamed[label] = count
    after = {"name": region.name, "parent": region.parent_id, "active": region.active}
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes:
        audit_event(instance=region, action="region.updated", actor=actor, changes=changes,
                    data={"renamed_on": renamed} if renamed else None)
    return region
