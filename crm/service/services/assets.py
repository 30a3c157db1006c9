"""Assets. ``assets_from_delivery`` is the one place delivered order lines become the
customer's assets (the orders service calls it when lines are delivered), so the link from
an asset to the order line that delivered it exists once."""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Account
from crm.accounts.selectors import account_is_visible
from crm.catalog.models import Product
from crm.core.audit import audit_changes, audit_event, audit_snapshot
from crm.orders.models import OrderLine
from crm.service.asset_tree import asset_ancestor_ids
from crm.service.members import is_member, member_may_see_account
from crm.service.models import Asset, AssetStatus, SlaPolicy
from tenants.users.models import User
from tenants.users.permissions import Capability, can


def warranty_end_after(start: date, months: int) -> date:
    """The last day of a warranty of ``months`` months starting on ``start``."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) - timedelta(days=1)


@dataclass(frozen=True)
class DeliveredUnits:
    order_line: OrderLine
    quantity: Decimal
    serial_numbers: Sequence[str] = field(default_factory=tuple)


def _clean_serials(units: DeliveredUnits) -> list[str]:
    serials = [s.strip() for s in units.serial_numbers if s and s.strip()]
    if len(set(serials)) != len(serials):
        raise ValidationError({"serial_numbers": _("A serial number is listed twice.")})
    product = units.order_line.product
    if product is not None and product.serialized:
        if units.quantity != units.quantity.to_integral_value():
            raise ValidationError({"quantity": _("Serialised products are delivered in whole "
                                                 "units.")})
        if len(serials) != int(units.quantity):
            raise ValidationError({"serial_numbers": _(
                "Give one serial number per delivered unit (%(count)s).")
                % {"count": int(units.quantity)}})
    elif serials and len(serials) > units.quantity:
        raise ValidationError({"serial_numbers": _("More serial numbers than units.")})
    return serials


@transaction.atomic
def assets_from_delivery(*, deliveries: Sequence[DeliveredUnits], actor: User | None,
                         delivered_on: date | None = None) -> list[Asset]:
    """One asset per delivered unit that has a serial number (every unit of a serialised
    product has one; other products only when serial numbers are given). Warranty starts on
    the delivery date. A serial number already registered for the product is refused."""
    delivered_on = delivered_on or timezone.localdate()
    assets: list[Asset] = []
    for units in deliveries:
        serials = _clean_serials(units)
        line = units.order_line
        if not serials:
            continue
        if line.product_id is None:
            raise ValidationError({"serial_numbers": _("A free-text line cannot become an "
                                                       "asset; register it by hand.")})
        taken = set(Asset.objects.filter(product_id=line.product_id, serial_number__in=serials)
                    .values_list("serial_number", flat=True))
        if taken:
            raise ValidationError({"serial_numbers": _(
                "Already registered for this product: %(serials)s")
                % {"serials": ", ".join(sorted(taken))}})
        account_id = line.order.account_id
        months = line.product.warranty_months if line.product is not None else None
        warranty_end = warranty_end_after(delivered_on, months) if months else None
        assets.extend(Asset(account_id=account_id, product_id=line.product_id,
                            serial_number=serial, installed_on=None,
                            warranty_start=delivered_on, warranty_end=warranty_end,
                            status=AssetStatus.ACTIVE, order_line=line, registered_by=actor)
                      for serial in serials)
    created = Asset.objects.bulk_create(assets)
    for asset in created:
        audit_event(instance=asset, action="create", actor=actor,
                    data={"serial_number": asset.serial_number,
                          "order_line": asset.order_line_id})
    return created


class AssetFields(TypedDict, total=False):
    product: Product | None
    make: str
    model: str
    serial_number: str
    customer_reference: str
    location: str
    installed_on: date | None
    warranty_start: date | None
    warranty_end: date | None
    warranty_policy: SlaPolicy | None
    parent: Asset | None
    notes: str
    external_id: str | None
    status: str


EDITABLE = ("product", "make", "model", "serial_number", "customer_reference", "location",
            "installed_on", "warranty_start", "warranty_end", "warranty_policy", "parent",
            "notes", "external_id", "status")


def _require_editor(actor: User) -> None:
    if not can(actor, Capability.EDIT_RECORDS):
        raise PermissionDenied(_("You may not change assets."))


def _check(asset: Asset) -> None:
    """The asset's own rules, with a message on the field at fault."""
    errors: dict[str, Any] = {}
    asset.serial_number = (asset.serial_number or "").strip()
    asset.make, asset.model = (asset.make or "").strip(), (asset.model or "").strip()
    if not asset.serial_number:
        errors["serial_number"] = _("Give the serial number.")
    if asset.product_id is None and not asset.model:
        errors["model"] = _("Choose a product from the catalog or give the make and model.")
    if asset.warranty_start and asset.warranty_end and asset.warranty_end < asset.warranty_start:
        errors["warranty_end"] = _("The warranty ends before it starts.")
    if asset.status not in AssetStatus.values:
        errors["status"] = _("Unknown status.")
    if asset.parent_id is not None:
        parent = asset.parent
        if parent is None or parent.account_id != asset.account_id:
            errors["parent"] = _("A component belongs to an asset of the same account.")
        elif asset.pk is not None and asset.pk in asset_ancestor_ids(asset_id=parent.pk):
            errors["parent"] = _("An asset cannot be a component of itself or of one of its "
                                 "own components.")
    if asset.serial_number and "serial_number" not in errors:
        same = Asset.objects.filter(serial_number=asset.serial_number)
        if asset.product_id is not None:
            same = same.filter(product_id=asset.product_id)
        else:
            same = same.filter(product__isnull=True, make=asset.make, model=asset.model)
        if asset.pk is not None:
            same = same.exclude(pk=asset.pk)
        if same.exists():
            errors["serial_number"] = _("This serial number is already registered for this "
                                        "product.")
    if asset.external_id == "":
        asset.external_id = None
    if asset.external_id and Asset.objects.filter(external_id=asset.external_id).exclude(
            pk=asset.pk).exists():
        errors["external_id"] = _("Another asset has this external id.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def asset_create(*, actor: User, account: Account, **fields: Unpack[AssetFields]) -> Asset:
    """Register an asset by hand (staff): active unless another status is given."""
    _require_editor(actor)
    if not account_is_visible(viewer=actor, account=account):
        raise PermissionDenied(_("You may not see this account."))
    asset = Asset(account=account, registered_by=actor, status=AssetStatus.ACTIVE)
    for name, value in fields.items():
        if name in EDITABLE:
            setattr(asset, name, value)
    _check(asset)
    asset.save()
    audit_event(instance=asset, action="create", actor=actor,
                data={"serial_number": asset.serial_number, "account": account.pk})
    return asset


@transaction.atomic
def asset_update(*, asset: Asset, actor: User, **fields: Unpack[AssetFields]) -> Asset:
    """Change an asset's details (the account stays: a moved asset is a new registration)."""
    _require_editor(actor)
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    before = audit_snapshot(asset, EDITABLE)
    for name, value in fields.items():
        if name in EDITABLE:
            setattr(asset, name, value)
    _check(asset)
    asset.save()
    audit_changes(instance=asset, before=before, actor=actor)
    return asset


@transaction.atomic
def asset_retire(*, asset: Asset, actor: User) -> Asset:
    """Take an asset out of service; its history stays."""
    _require_editor(actor)
    if asset.status == AssetStatus.RETIRED:
        return asset
    return asset_update(asset=asset, actor=actor, status=AssetStatus.RETIRED)


@transaction.atomic
def asset_register_by_member(*, member: User, account: Account, serial_number: str,
                             product: Product | None = None, make: str = "",
                             model: str = "", customer_reference: str = "",
                             location: str = "", installed_on: date | None = None,
                             notes: str = "") -> Asset:
    """A customer registers equipment in the portal: a ``pending`` asset that staff verify
    (``asset_verify``) before it counts for coverage."""
    if not is_member(member) or not member_may_see_account(member, account.pk):
        raise PermissionDenied(_("You may not register assets for this account."))
    asset = Asset(account=account, product=product, make=make, model=model,
                  serial_number=serial_number, customer_reference=customer_reference,
                  location=location, installed_on=installed_on, notes=notes,
                  status=AssetStatus.PENDING, registered_by=member)
    _check(asset)
    asset.save()
    audit_event(instance=asset, action="create", actor=member,
                data={"serial_number": asset.serial_number, "pending": True})
    return asset


@transaction.atomic
def asset_verify(*, asset: Asset, actor: User, warranty_start: date | None = None,
                 warranty_end: date | None = None) -> Asset:
    """Staff confirm a customer-registered asset: it becomes active (optionally with the
    warranty dates they checked)."""
    _require_editor(actor)
    if asset.status != AssetStatus.PENDING:
        raise ValidationError({"status": _("Only an asset waiting for verification can be "
                                           "verified.")})
    fields: AssetFields = {"status": AssetStatus.ACTIVE}
    if warranty_start is not None:
        fields["warranty_start"] = warranty_start
    if warranty_end is not None:
        fields["warranty_end"] = warranty_end
    verified = asset_update(asset=asset, actor=actor, **fields)
    audit_event(instance=verified, action="verify", actor=actor, data={})
    return verified
