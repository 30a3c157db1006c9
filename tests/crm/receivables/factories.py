"""Orders with schedules for receivables tests, built through the services."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from crm.accounts.models import Account
from crm.orders.models import Order, OrderStatus
from crm.orders.services import OrderLineInput, order_create
from crm.receivables.services import InstalmentInput, schedule_set
from tenants.users.models import User


def make_order(*, account: Account, actor: User, total: str = "1000.00",
               currency: str = "CNY", owner: User | None = None, approved: bool = True,
               ordered_on: date | None = None) -> Order:
    """An order of one untaxed line worth ``total``; approved unless told otherwise (the
    approval chain belongs to crm.orders: the test stands in for it)."""
    order = order_create(account=account, actor=actor, currency=currency, owner=owner,
                         ordered_on=ordered_on or date(2026, 1, 1),
                         lines=[OrderLineInput(description="Goods", quantity=Decimal(1),
                                               unit_price=Decimal(total))])
    if approved:
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.APPROVED,
                                                 approved_at=timezone.now())
        order.refresh_from_db()
    return order


def make_schedule(*, order: Order, actor: User, plan: list[tuple[date, str]]):
    return schedule_set(order=order, actor=actor, instalments=[
        InstalmentInput(due_on=due_on, amount=Decimal(amount)) for due_on, amount in plan])
