"""Amendments: the only way an approved order changes. ``order_amend`` makes the next
revision (same number, revision + 1, ``amends`` the approved one) as a draft with the same
lines and deliveries; it is edited and submitted like any draft and runs its own approval.
When it is approved, the revision it amends becomes superseded (crm.orders.services.approval).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.orders.models import Order, OrderStatus
from crm.orders.selectors import IN_FORCE
from crm.orders.services.creation import OrderLineInput, order_create
from tenants.users.models import User
from tenants.users.permissions import Capability, can


def open_amendment(order: Order) -> Order | None:
    """The draft or pending amendment of ``order``, if one is open."""
    amendment = Order.objects.filter(amends=order).first()
    if amendment is not None and amendment.status in (OrderStatus.DRAFT,
                                                      OrderStatus.PENDING_APPROVAL):
        return amendment
    return None


@transaction.atomic
def order_amend(*, order: Order, actor: User) -> Order:
    """The amendment (a draft revision) of an approved order; a second call while it is
    open returns the same draft."""
    order = Order.objects.select_for_update().select_related("account").get(pk=order.pk)
    if not can(actor, Capability.EDIT_RECORDS):
        raise PermissionDenied(_("You may not amend orders."))
    existing = Order.objects.filter(amends=order).first()
    if existing is not None:
        if existing.status in (OrderStatus.DRAFT, OrderStatus.PENDING_APPROVAL):
            return existing
        raise ValidationError(_("This revision was already amended."))
    if order.status not in IN_FORCE:
        raise ValidationError(_("Only an approved order can be amended; edit the draft "
                                "instead."))
    lines = [
        OrderLineInput(quantity=line.quantity, unit_price=line.unit_price, product=line.product,
                       description=line.description, discount_percent=line.discount_percent,
                       tax_rate=line.tax_rate, quote_line=line.quote_line,
                       delivered_quantity=line.delivered_quantity)
        for line in order.lines.select_related("product").order_by("position", "pk")
    ]
    amendment = order_create(
        account=order.account, actor=actor, currency=order.currency, lines=lines,
        kind=order.kind, opportunity=order.opportunity, contact=order.contact,
        owner=order.owner, quote=order.quote, ordered_on=order.ordered_on,
        delivery_terms=order.delivery_terms, payment_terms=order.payment_terms,
        starts_on=order.starts_on, ends_on=order.ends_on, renewal_on=order.renewal_on,
        discount_percent=order.discount_percent, amends=order,
    )
    if order.renewal_reminded_at is not None:
        # The same renewal date was already announced; a changed date resets it.
        Order.objects.filter(pk=amendment.pk).update(
            renewal_reminded_at=order.renewal_reminded_at)
        amendment.renewal_reminded_at = order.renewal_reminded_at
    audit_event(instance=order, action="order.amended", actor=actor,
                data={"amendment": amendment.pk, "revision": amendment.revision})
    return amendment
