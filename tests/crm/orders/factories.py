"""Orders for tests, built through crm.orders.services (rules apply)."""

from decimal import Decimal
from typing import Any

from crm.accounts.models import Account
from crm.orders.models import Order
from crm.orders.selectors import tenant_currency
from crm.orders.services import OrderLineInput, order_create
from tenants.users.models import User


def make_order(*, account: Account, actor: User, amount: Any = "1000", quantity: Any = 1,
               product: Any = None, **fields: Any) -> Order:
    """A draft of one line whose net is ``amount`` (no tax unless ``tax_rate``)."""
    tax_rate = Decimal(fields.pop("tax_rate", 0))
    line = OrderLineInput(product=product, description="" if product else "Line",
                          quantity=Decimal(quantity), unit_price=Decimal(amount),
                          tax_rate=tax_rate)
    values = {"currency": tenant_currency(), "lines": [line], **fields}
    return order_create(account=account, actor=actor, **values)
