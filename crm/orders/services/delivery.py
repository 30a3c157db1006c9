"""Deliveries: lines of an approved order marked delivered, partly or fully, never above the
ordered quantity; a serialised product needs one serial number per unit. Delivered units
become the customer's assets through crm.service.services.assets_from_delivery (the one
place that link is made)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.core.events import emit
from crm.orders.models import (
    Order,
    OrderDelivery,
    OrderDeliveryLine,
    OrderLine,
    OrderStatus,
)
from crm.orders.services.amendment import open_amendment
from crm.service.services import DeliveredUnits, assets_from_delivery
from tenants.users.models import User
from tenants.users.permissions import Capability, can

DELIVERABLE = (OrderStatus.APPROVED, OrderStatus.PARTLY_DELIVERED)


@dataclass(frozen=True)
class DeliveryInput:
    line: OrderLine
    quantity: Decimal
    serial_numbers: Sequence[str] = field(default_factory=tuple)


def _check(order: Order, deliveries: Sequence[DeliveryInput]) -> None:
    if not deliveries:
        raise ValidationError({"lines": _("Name at least one line to deliver.")})
    seen: set[int] = set()
    for item in deliveries:
        line = item.line
        if line.order_id != order.pk:
            raise ValidationError({"lines": _("A line of another order was given.")})
        if line.pk in seen:
            raise ValidationError({"lines": _("Line %(number)s is listed twice.")
                                   % {"number": line.position}})
        seen.add(line.pk)
        if item.quantity <= 0:
            raise ValidationError({"quantity": _("Deliver a quantity above zero (line "
                                                 "%(number)s).") % {"number": line.position}})
        if line.delivered_quantity + item.quantity > line.quantity:
            raise ValidationError({"quantity": _(
                "Line %(number)s: %(open)s left to deliver.")
                % {"number": line.position,
                   "open": (line.quantity - line.delivered_quantity).normalize()}})


@transaction.atomic
def order_deliver(*, order: Order, actor: User, deliveries: Sequence[DeliveryInput],
                  delivered_on: date | None = None) -> OrderDelivery:
    """Record one delivery of some lines; status becomes partly delivered or delivered."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not can(actor, Capability.EDIT_RECORDS):
        raise PermissionDenied(_("You may not record deliveries."))
    if order.status not in DELIVERABLE:
        raise ValidationError(_("Only an approved order that is not fully delivered can be "
                                "delivered."))
    if open_amendment(order) is not None:
        raise ValidationError(_("An amendment of this order is open: decide it first."))
    delivered_on = delivered_on or timezone.localdate()
    locked = {line.pk: line for line in
              OrderLine.objects.select_for_update(of=("self",)).filter(order=order)
              .order_by("position", "pk")
              .select_related("product", "order")}
    items = [DeliveryInput(line=locked.get(item.line.pk, item.line), quantity=item.quantity,
                           serial_numbers=[s.strip() for s in item.serial_numbers
                                           if s and s.strip()])
             for item in deliveries]
    _check(order, items)
    assets = assets_from_delivery(
        deliveries=[DeliveredUnits(order_line=item.line, quantity=item.quantity,
                                   serial_numbers=tuple(item.serial_numbers))
                    for item in items],
        actor=actor, delivered_on=delivered_on)
    delivery = OrderDelivery.objects.create(order=order, delivered_on=delivered_on,
                                            delivered_by=actor)
    OrderDeliveryLine.objects.bulk_create([
        OrderDeliveryLine(delivery=delivery, order_line=item.line, quantity=item.quantity,
                          serial_numbers=list(item.serial_numbers))
        for item in items])
    for item in items:
        item.line.delivered_quantity += item.quantity
        item.line.save(update_fields=["delivered_quantity"])
    lines = list(locked.values())
    fully = all(line.delivered_quantity >= line.quantity for line in lines)
    order.status = OrderStatus.DELIVERED if fully else OrderStatus.PARTLY_DELIVERED
    order.save(update_fields=["status", "updated_at"])
    summary = [{"line": item.line.pk, "quantity": str(item.quantity.normalize()),
                "serial_numbers": list(item.serial_numbers)} for item in items]
    audit_event(instance=order, action="order.delivered", actor=actor,
                data={"delivery": delivery.pk, "on": delivered_on, "lines": summary,
                      "assets": [asset.pk for asset in assets]})
    emit("order.delivered", data={
        "order": order.pk, "number": order.number, "revision": order.revision,
        "account": order.account_id, "status": order.status, "delivery": delivery.pk,
        "delivered_on": delivered_on.isoformat(), "lines": summary,
        "assets": [asset.pk for asset in assets],
    })
    return delivery
