"""Assets. ``assets_from_delivery`` is the one place delivered order lines become the
customer's assets (the orders service calls it when lines are delivered), so the link from
an asset to the order line that delivered it exists once."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.orders.models import OrderLine
from crm.service.models import Asset, AssetStatus
from tenants.users.models import User


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
        assets.extend(Asset(account_id=account_id, product_id=line.product_id,
                            serial_number=serial, installed_on=None,
                            warranty_start=delivered_on, status=AssetStatus.ACTIVE,
                            order_line=line, registered_by=actor)
                      for serial in serials)
    created = Asset.objects.bulk_create(assets)
    for asset in created:
        audit_event(instance=asset, action="create", actor=actor,
                    data={"serial_number": asset.serial_number,
                          "order_line": asset.order_line_id})
    return created
