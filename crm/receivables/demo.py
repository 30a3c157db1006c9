"""Demo receivables: approved orders of the demo reps' accounts with payment schedules whose
instalments fall in every aging bucket (current, 1-30, 31-60, 61-90 and over 90 days
overdue, relative to the day the seeder runs), partial and full payments recorded by
finance, and one order without an owner.

Orders come from ``crm.orders.services.order_create``; they are then marked approved
directly (the seeder plays the approval chain, which crm.orders owns) so their instalments
are receivable. Idempotent: the orders carry external ids "demo-rcv-..."."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from crm.accounts.models import Account
from crm.catalog.models import Product
from crm.core.money import minor_unit
from crm.orders.models import Order, OrderStatus
from crm.orders.services import OrderLineInput, order_create
from crm.receivables.selectors import tenant_today
from crm.receivables.services import (
    InstalmentInput,
    payment_record,
    schedule_set,
    schedule_split,
)
from tenants.demo import demo_seeder
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

PREFIX = "demo-rcv-"

# key, owner e-mail (None: no owner), quantity, unit price, instalment offsets from today
# (days; negative = already due), payments: (instalment index or None, share of it in %,
# days ago).
PLANS: list[tuple[str, str | None, int, str, list[int], list[tuple[int | None, int, int]]]] = [
    ("01", "rep@demo.test", 12, "2360", [-120, -75, -45, -10, 20],
     [(0, 100, 100), (1, 40, 60)]),
    ("02", "rep@demo.test", 4, "5800", [-95, -35, 25], [(None, 50, 80)]),
    ("03", "rep2@demo.test", 30, "1280", [-65, -15, 10, 40], [(0, 25, 50)]),
    ("04", "rep2@demo.test", 2, "9600", [-140, -100, -5], []),
    ("05", "manager@demo.test", 8, "3400", [-50, -20, 15, 45], [(0, 100, 40), (1, 30, 5)]),
    ("06", None, 20, "800", [-85, 5], []),
    ("07", "rep@demo.test", 60, "45", [-3, 27, 57], [(0, 100, 2)]),
    ("08", "manager@demo.test", 5, "2150", [-200, -31, -1, 30], []),
]


def _currency() -> str:
    code = str(getattr(getattr(connection, "tenant", None), "currency", "") or "CNY").upper()
    try:
        minor_unit(code)
    except ValueError:
        return "CNY"
    return code


@demo_seeder(name="receivables", order=70)
def seed_receivables() -> None:
    if Order.objects.filter(external_id__startswith=PREFIX).exists():
        return
    staff = list(User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by("pk"))
    finance = next((u for u in staff if can(u, Capability.MANAGE_FINANCE)), None)
    if finance is None:
        return
    by_email = {user.email: user for user in staff}
    sellers = [u for u in staff if can(u, Capability.MANAGE_SALES)] or staff
    accounts = list(Account.objects.filter(external_id__startswith="demo-").order_by("pk")[:60]
                    or Account.objects.order_by("pk")[:60])
    if not accounts:
        return
    products = list(Product.objects.filter(active=True).order_by("pk")[:8])
    currency = _currency()
    today = tenant_today()
    for index, (key, email, quantity, price, offsets, payments) in enumerate(PLANS):
        owner = by_email.get(email) if email else None
        if email and owner is None:
            owner = sellers[index % len(sellers)]
        mine = [a for a in accounts if owner is not None and a.owner_id == owner.pk]
        account = (mine or accounts)[index % len(mine or accounts)]
        product = products[index % len(products)] if products else None
        line = OrderLineInput(product=product, description="" if product else "Demo goods",
                              quantity=Decimal(quantity), unit_price=Decimal(price),
                              tax_rate=Decimal(13))
        with transaction.atomic():
            order = order_create(
                account=account, actor=finance, currency=currency, lines=[line],
                owner=owner, ordered_on=today + timedelta(days=min(offsets) - 30),
                payment_terms="Instalments as scheduled / 按计划分期付款",
                external_id=f"{PREFIX}{key}")
            if owner is None:  # the unowned order of the set
                Order.objects.filter(pk=order.pk).update(owner=None)
            Order.objects.filter(pk=order.pk).update(status=OrderStatus.APPROVED,
                                                     approved_at=timezone.now())
            order.refresh_from_db()
            planned = schedule_split(order=order, count=len(offsets),
                                     first_due_on=today, months_between=0)
            instalments = schedule_set(order=order, actor=finance, instalments=[
                InstalmentInput(due_on=today + timedelta(days=offset), amount=item.amount,
                                label=item.label)
                for item, offset in zip(planned, offsets, strict=True)])
            for position, percent, days_ago in payments:
                if position is None:
                    amount = (order.total * percent / 100).quantize(Decimal(1))
                    payment_record(order=order, amount=amount, actor=finance,
                                   paid_on=today - timedelta(days=days_ago),
                                   reference=f"DEMO-{key}")
                    continue
                target = instalments[position]
                target.refresh_from_db()
                amount = (target.amount * percent / 100).quantize(Decimal(1)) \
                    if percent < 100 else target.amount - target.paid_amount
                payment_record(order=order, instalment=target, amount=amount,
                               actor=finance, paid_on=today - timedelta(days=days_ago),
                               reference=f"DEMO-{key}-{position + 1}")
