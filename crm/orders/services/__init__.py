"""Order commands. ``creation`` holds the one way an order comes to exist (entered directly
or from an accepted quote); the approval chain, amendments and delivery live beside it."""

from crm.orders.services.creation import OrderLineInput, order_create, order_from_quote

__all__ = ["OrderLineInput", "order_create", "order_from_quote"]
