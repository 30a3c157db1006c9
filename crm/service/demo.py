# ruff: noqa: RUF001  (full-width CJK punctuation in demo texts is the point)
"""Demo service data: a hardware queue worked by agent@demo.test, assets (most from
delivered demo orders through ``assets_from_delivery``, with components three levels deep,
a third-party controller and a customer-registered asset waiting for verification) and
requests in every status, some of them past their SLA. Built through the services, with
``now=`` moved back in time so that the status history and clocks are the real ones.
Idempotent: the queue's name marks the data as seeded."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crm.accounts.models import Account, Contact
from crm.catalog.models import Product
from crm.orders.models import OrderLine, OrderStatus
from crm.orders.services import OrderLineInput, order_create
from crm.service.models import (
    Asset,
    AssetStatus,
    RequestStatus,
    ServiceQueue,
    ServiceRequest,
    Severity,
    SlaPolicy,
)
from crm.service.services import (
    DeliveredUnits,
    PartUsed,
    agent_availability_set,
    asset_create,
    asset_update,
    assets_from_delivery,
    service_comment_add,
    service_request_assign,
    service_request_create,
    service_request_rate,
    service_request_status_set,
    work_log_add,
)
from tenants.demo import demo_seeder
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

QUEUE_NAME = "硬件支持 Hardware support"
WARRANTY_POLICY = "Warranty 24x7 (demo)"
TARGETS = [
    {"severity": Severity.CRITICAL, "first_response_minutes": 60, "resolution_minutes": 480},
    {"severity": Severity.HIGH, "first_response_minutes": 120, "resolution_minutes": 1440},
    {"severity": Severity.NORMAL, "first_response_minutes": 480, "resolution_minutes": 4320},
    {"severity": Severity.LOW, "first_response_minutes": 1440, "resolution_minutes": 10080},
]


def _user(email: str, capability: Capability) -> User | None:
    user = User.objects.filter(email=email, is_active=True).first()
    if user is not None and can(user, capability):
        return user
    return next((candidate for candidate in User.objects.filter(
        kind=UserKind.STAFF, is_active=True).order_by("pk") if can(candidate, capability)),
        None)


def _customers() -> list[Account]:
    """Demo customer accounts that have contacts: head offices with branches first."""
    with_contacts = Contact.objects.values("account_id")
    heads = list(Account.objects.filter(external_id__startswith="demo-", parent__isnull=True,
                                        children__isnull=False, pk__in=with_contacts)
                 .distinct().order_by("pk")[:2])
    others = list(Account.objects.filter(external_id__startswith="demo-", pk__in=with_contacts)
                  .exclude(pk__in=[a.pk for a in heads]).order_by("pk")[:4])
    return heads + others


def _product(sku: str) -> Product | None:
    return Product.objects.filter(external_id__startswith="demo-", sku=sku).first()


@demo_seeder(name="service", order=80)
def seed_service() -> None:
    if ServiceQueue.objects.filter(name=QUEUE_NAME).exists():
        return
    admin = _user("admin@demo.test", Capability.MANAGE_SETTINGS)
    agent = _user("agent@demo.test", Capability.MANAGE_SERVICE)
    customers = _customers()
    gateway, sensor, plc, hmi = (_product(sku) for sku in ("G10", "S200", "PLC-X1", "HMI-7"))
    if admin is None or agent is None or len(customers) < 3 or not (gateway and sensor):
        return
    now = timezone.now()
    with transaction.atomic():
        manager = _user("manager@demo.test", Capability.ASSIGN_RECORDS) or admin
        queue = ServiceQueue.objects.create(name=QUEUE_NAME, is_default=True, manager=manager,
                                            categories=["hardware", "sensor", "gateway"])
        queue.agents.add(agent)
        ServiceQueue.objects.create(name="软件 Software", categories=["software"],
                                    manager=manager).agents.add(agent)
        policy = SlaPolicy.objects.filter(name=WARRANTY_POLICY).first() or \
            SlaPolicy.objects.create(name=WARRANTY_POLICY, around_the_clock=True,
                                     time_zone="Asia/Shanghai", targets=TARGETS)
        Product.objects.filter(pk__in=[p.pk for p in (gateway, sensor, plc, hmi) if p]) \
            .update(warranty_months=24)
        assets = _seed_assets(admin, customers, policy, gateway, sensor, plc, hmi, now)
        _seed_requests(admin, agent, customers, assets, now)


def _seed_assets(admin: User, customers: list[Account], policy: SlaPolicy, gateway: Product,
                 sensor: Product, plc: Product | None, hmi: Product | None,
                 now: timezone.datetime) -> list[Asset]:
    systems: list[Asset] = []
    for index, account in enumerate(customers[:3]):
        lines = [OrderLineInput(product=gateway, quantity=Decimal(1),
                                unit_price=gateway.list_price, tax_rate=gateway.tax_rate),
                 OrderLineInput(product=sensor, quantity=Decimal(3),
                                unit_price=sensor.list_price, tax_rate=sensor.tax_rate)]
        delivered_on = (now - timedelta(days=120 + 200 * index)).date()
        order = order_create(account=account, actor=admin, currency=gateway.currency,
                             lines=lines, ordered_on=delivered_on - timedelta(days=14),
                             external_id=f"demo-service-order-{index + 1}")
        order_lines = list(order.lines.order_by("position"))
        # Demo shortcut: the orders app's delivery flow marks lines delivered.
        for line in order_lines:
            OrderLine.objects.filter(pk=line.pk).update(delivered_quantity=line.quantity)
        order.status = OrderStatus.DELIVERED
        order.save(update_fields=["status"])
        created = assets_from_delivery(deliveries=[
            DeliveredUnits(order_lines[0], Decimal(1), [f"G10-{2026 - index}{index:02d}001"]),
            DeliveredUnits(order_lines[1], Decimal(3),
                           [f"S200-{index:02d}{unit:04d}" for unit in range(1, 4)]),
        ], actor=admin, delivered_on=delivered_on)
        system = next(asset for asset in created if asset.product_id == gateway.pk)
        system = asset_update(asset=system, actor=admin, warranty_policy=policy,
                              installed_on=delivered_on + timedelta(days=3),
                              location=f"机房 {index + 1} / Server room {index + 1}")
        for unit in created:
            if unit.pk != system.pk:
                asset_update(asset=unit, actor=admin, parent=system, warranty_policy=policy,
                             installed_on=delivered_on + timedelta(days=3))
        systems.append(system)
    # A third-party control cabinet with a catalog PLC in it and a touch panel on the PLC.
    account = customers[0]
    cabinet = asset_create(actor=admin, account=account, make="Rittal", model="TS 8 cabinet",
                           serial_number="RIT-TS8-0001", location="Line 2",
                           installed_on=(now - timedelta(days=400)).date(),
                           warranty_start=(now - timedelta(days=400)).date(),
                           warranty_end=(now + timedelta(days=40)).date(),
                           warranty_policy=policy, external_id="demo-asset-cabinet")
    if plc is not None:
        controller = asset_create(actor=admin, account=account, product=plc,
                                  serial_number="PLCX1-77001", parent=cabinet,
                                  warranty_start=(now - timedelta(days=400)).date(),
                                  warranty_end=(now + timedelta(days=330)).date(),
                                  warranty_policy=policy)
        if hmi is not None:
            asset_create(actor=admin, account=account, product=hmi,
                         serial_number="HMI7-55012", parent=controller)
    systems.append(cabinet)
    asset_create(actor=admin, account=customers[1], make="Siemens", model="S7-1200",
                 serial_number="S7-6ES7-0042", status=AssetStatus.ACTIVE,
                 warranty_end=(now - timedelta(days=30)).date())
    # What a customer registered in the portal, waiting for staff to verify it.
    Asset.objects.create(account=customers[2], make="ABB", model="ACS580 drive",
                         serial_number="ACS580-9931", status=AssetStatus.PENDING,
                         notes="Registered by the customer in the portal.")
    return systems


def _contact(account: Account) -> Contact | None:
    return Contact.objects.filter(account=account).order_by("pk").first()


def _open(admin: User, account: Account, asset: Asset | None, subject: str, severity: str,
          hours_ago: float, now: timezone.datetime, category: str = "hardware",
          channel: str = "phone") -> ServiceRequest:
    reported = now - timedelta(hours=hours_ago)
    return service_request_create(actor=admin, account=account, contact=_contact(account),
                                  asset=asset, subject=subject, severity=severity,
                                  category=category, channel=channel,
                                  description=subject, reported_at=reported, now=reported)


def _seed_requests(admin: User, agent: User, customers: list[Account], systems: list[Asset],
                   now: timezone.datetime) -> None:
    S = RequestStatus  # noqa: N806
    first, second, third = customers[0], customers[1], customers[2]
    at = lambda request, hours: request.reported_at + timedelta(hours=hours)  # noqa: E731

    # New and unassigned in the agent's queue: it arrived while the agent was away.
    agent_availability_set(agent=agent, actor=agent, available=False)
    _open(admin, second, None, "门户无法登录 Cannot sign in to the portal", Severity.LOW, 0.5,
          now, category="", channel="email")
    agent_availability_set(agent=agent, actor=agent, available=True)

    # Assigned (round-robin) and answered in time.
    assigned = _open(admin, first, systems[0], "网关指示灯闪烁 Gateway LED blinking",
                     Severity.NORMAL, 3, now)
    service_comment_add(request=assigned, actor=agent, public=True, now=at(assigned, 1),
                        body="我们已收到，正在查看日志。We are looking at the logs.")

    # Critical and never answered: breached.
    service_request_create(actor=admin, account=first, contact=_contact(first),
                           asset=systems[0], subject="产线停机 Production line down",
                           description="All sensors offline since 02:00.",
                           severity=Severity.CRITICAL, category="hardware", channel="phone",
                           reported_at=now - timedelta(hours=30), now=now)

    # In progress, with an internal note and a work log with a spare part.
    working = _open(admin, third, systems[2], "传感器读数漂移 Sensor readings drift",
                    Severity.HIGH, 20, now)
    service_comment_add(request=working, actor=agent, public=True, now=at(working, 1),
                        body="Engineer will call you within the hour.")
    service_comment_add(request=working, actor=agent, public=False, now=at(working, 1.5),
                        body="Probably the S200 calibration batch from March.")
    service_request_status_set(request=working, actor=agent, status=S.IN_PROGRESS,
                               now=at(working, 2))
    sensor = Product.objects.filter(external_id__startswith="demo-", sku="S200").first()
    work_log_add(request=working, actor=agent, kind="on_site", minutes=90,
                 performed_on=at(working, 3).date(), now=at(working, 3),
                 description="Recalibrated two sensors, replaced one.",
                 parts=[PartUsed(product=sensor, quantity=Decimal(1))] if sensor else [])

    # Waiting on the customer (the resolution clock is paused).
    waiting = _open(admin, second, None, "请提供序列号 Need the serial number",
                    Severity.NORMAL, 26, now, channel="email")
    service_comment_add(request=waiting, actor=agent, public=True, now=at(waiting, 2),
                        body="请提供设备序列号。Please send us the serial number.")
    service_request_status_set(request=waiting, actor=agent, status=S.WAITING_ON_CUSTOMER,
                               now=at(waiting, 2.1))

    # Resolved (rated) and closed ones; one resolved late.
    resolved = _open(admin, first, systems[-1], "触摸屏无响应 Touch panel unresponsive",
                     Severity.HIGH, 72, now)
    service_comment_add(request=resolved, actor=agent, public=True, now=at(resolved, 1),
                        body="Firmware update scheduled.")
    service_request_status_set(request=resolved, actor=agent, status=S.RESOLVED,
                               now=at(resolved, 6))
    service_request_rate(request=resolved, actor=admin, score=5,
                         remark="很快解决 Quick fix", now=at(resolved, 8))
    late = _open(admin, third, systems[2], "网关重启 Gateway keeps rebooting",
                 Severity.CRITICAL, 140, now)
    service_comment_add(request=late, actor=agent, public=True, now=at(late, 3),
                        body="Replacement unit on its way.")
    service_request_status_set(request=late, actor=agent, status=S.RESOLVED,
                               now=at(late, 30))
    closed = _open(admin, second, None, "操作培训 Operator training question",
                   Severity.LOW, 300, now, category="software", channel="email")
    service_comment_add(request=closed, actor=agent, public=True, now=at(closed, 4),
                        body="See the attached manual, chapter 4.")
    service_request_status_set(request=closed, actor=agent, status=S.RESOLVED,
                               now=at(closed, 5))
    service_request_status_set(request=closed, actor=agent, status=S.CLOSED,
                               now=at(closed, 60))
    # Handed to the agent by hand.
    by_hand = _open(admin, third, None, "新增传感器报价 Quote for extra sensors",
                    Severity.LOW, 5, now, category="", channel="staff")
    service_request_assign(request=by_hand, actor=admin, assignee=agent, now=at(by_hand, 1))
