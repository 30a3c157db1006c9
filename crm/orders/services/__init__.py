"""Order commands. ``creation`` holds the one way an order comes to exist (entered directly
or from an accepted quote); ``editing`` changes drafts; ``approval`` runs the tenant's chain
on the one approval trail; ``amendment`` revises approved orders; ``delivery`` records
deliveries (assets through crm.service); ``contracts`` sends renewal reminders; ``settings``
holds the tenant's chain and lead days."""

from crm.orders.services.amendment import order_amend
from crm.orders.services.approval import order_approve, order_reject, order_submit
from crm.orders.services.contracts import contract_renewal_reminders_send
from crm.orders.services.creation import OrderLineInput, order_create, order_from_quote
from crm.orders.services.delivery import DeliveryInput, order_deliver
from crm.orders.services.editing import LineRequest, line_inputs, order_update

__all__ = [
    "DeliveryInput", "LineRequest", "OrderLineInput", "contract_renewal_reminders_send",
    "line_inputs", "order_amend", "order_approve", "order_create", "order_deliver",
    "order_from_quote", "order_reject", "order_submit", "order_update",
]
