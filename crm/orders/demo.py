# ruff: noqa: RUF001  (full-width CJK punctuation in terms is the point)
"""Demo orders, built through the services so every rule and trail is real: a draft sent
back by the manager, orders waiting for the sales manager and for finance (above 500,000),
an approved order, a partly delivered and a delivered one (their serialised units became
assets through crm.service's assets_from_delivery), and a contract renewing within the
reminder lead. rep@demo.test submits, the East team's manager reviews, an administrator
re-checks as finance. Idempotent: external ids "demo-order-..."."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crm.accounts.models import Account
from crm.catalog.models import Product
from crm.core.approvals import pending_step
from crm.orders.models import Order, OrderKind
from crm.orders.selectors import tenant_currency
from crm.orders.services import (
    DeliveryInput,
    OrderLineInput,
    order_approve,
    order_create,
    order_deliver,
    order_reject,
    order_submit,
)
from tenants.demo import demo_seeder
from tenants.users.models import Role, User

PREFIX = "demo-order-"
D = Decimal


def _user(email: str, role: str) -> User | None:
    return (User.objects.filter(email=email, is_active=True).first()
            or User.objects.filter(role=role, is_active=True).order_by("pk").first())


def _decider(order: Order) -> User | None:
    step = pending_step(order)
    if step is None:
        return None
    return step.candidates.order_by("pk").first()


def _approve_all(order: Order, *, steps: int | None = None) -> Order:
    done = 0
    while steps is None or done < steps:
        decider = _decider(order)
        if decider is None:
            break
        order = order_approve(order=order, actor=decider, comment="OK")
        done += 1
    return order


def _line(product: Product, quantity: int, price: Decimal | None = None) -> OrderLineInput:
    return OrderLineInput(product=product, description=product.name, quantity=D(quantity),
                          unit_price=price if price is not None else product.list_price,
                          tax_rate=product.tax_rate)


@demo_seeder(name="orders", order=70)
def seed_orders() -> None:
    if Order.objects.filter(external_id__startswith=PREFIX).exists():
        return
    rep = _user("rep@demo.test", Role.SALES_REP)
    products = {p.sku: p for p in Product.objects.filter(external_id__startswith="demo-")}
    if rep is None or not {"S200", "G10", "SVC-INST", "PLC-X1"} <= set(products):
        return
    accounts = list(Account.objects.filter(owner=rep).order_by("pk")[:4]) or \
        list(Account.objects.order_by("pk")[:4])
    if not accounts:
        return
    currency = tenant_currency()
    today = timezone.localdate()

    def account(index: int) -> Account:
        return accounts[index % len(accounts)]

    def make(key: str, index: int, lines: list[OrderLineInput], **extra: object) -> Order:
        return order_create(account=account(index), actor=rep, currency=currency,
                            lines=lines, owner=rep, external_id=f"{PREFIX}{key}",
                            delivery_terms="EXW 上海，到货后 7 日内安装调试",
                            payment_terms="30% 预付，70% 验收后 30 天内", **extra)

    with transaction.atomic():
        sensor, gateway = products["S200"], products["G10"]
        install, plc = products["SVC-INST"], products["PLC-X1"]
        # Sent back by the manager, now a draft again with the comment in its trail.
        returned = make("returned", 0, [_line(sensor, 20), _line(install, 2)])
        returned = order_submit(order=returned, actor=rep)
        decider = _decider(returned)
        if decider is not None:
            order_reject(order=returned, actor=decider,
                         comment="Please confirm the installation dates with the customer.")
        # Waiting for the sales manager's review.
        order_submit(order=make("manager-review", 1, [_line(gateway, 10), _line(sensor, 40)]),
                     actor=rep)
        # Above 500,000: reviewed by the manager, waiting for finance.
        big = make("finance-check", 2, [_line(plc, 150), _line(gateway, 20)])
        _approve_all(order_submit(order=big, actor=rep), steps=1)
        # Approved, not delivered yet.
        _approve_all(order_submit(order=make("approved", 3, [_line(install, 5),
                                                               _line(sensor, 12)]),
                                  actor=rep))
        # Partly delivered: 3 of 8 sensors with serial numbers.
        partly = _approve_all(order_submit(
            order=make("partly-delivered", 0, [_line(sensor, 8), _line(install, 1)]),
            actor=rep))
        sensor_line = partly.lines.get(position=1)
        order_deliver(order=partly, actor=rep, deliveries=[DeliveryInput(
            line=sensor_line, quantity=D(3),
            serial_numbers=[f"S200-DEMO-{n:04d}" for n in range(1, 4)])],
            delivered_on=today - timedelta(days=5))
        # Delivered in full: two gateways and a service visit.
        done = _approve_all(order_submit(
            order=make("delivered", 1, [_line(gateway, 2), _line(install, 1)]), actor=rep))
        gateway_line, install_line = done.lines.order_by("position")
        order_deliver(order=done, actor=rep, deliveries=[
            DeliveryInput(line=gateway_line, quantity=D(2),
                          serial_numbers=["G10-DEMO-0001", "G10-DEMO-0002"]),
            DeliveryInput(line=install_line, quantity=D(1))],
            delivered_on=today - timedelta(days=20))
        # A yearly support contract renewing within the reminder lead.
        support = products.get("SUP-GOLD", install)
        _approve_all(order_submit(order=make(
            "contract", 2, [_line(support, 1)], kind=OrderKind.CONTRACT,
            starts_on=today - timedelta(days=345), ends_on=today + timedelta(days=20)),
            actor=rep))
