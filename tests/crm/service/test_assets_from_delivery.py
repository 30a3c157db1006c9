"""Delivered order lines become the customer's assets in one place."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crm.orders.services import OrderLineInput, order_create
from crm.service.models import Asset
from crm.service.services import DeliveredUnits, assets_from_delivery
from tests.crm.accounts.factories import make_account
from tests.crm.catalog.factories import make_product

D = Decimal


@pytest.fixture
def world(tenant_a, in_tenant):
    admin = tenant_a.users["admin"]
    with in_tenant(tenant_a):
        account = make_account(name="Asset Owner Ltd")
        pump = make_product(actor=admin, name="Pump", serialized=True)
        oil = make_product(actor=admin, name="Oil", serialized=False)
        order = order_create(account=account, actor=admin, currency="USD", lines=[
            OrderLineInput(product=pump, quantity=D(2), unit_price=D(100)),
            OrderLineInput(product=oil, quantity=D(10), unit_price=D(5)),
        ])
        pump_line, oil_line = order.lines.order_by("position")
        yield {"admin": admin, "account": account, "pump_line": pump_line,
               "oil_line": oil_line}


def test_each_serialised_unit_becomes_an_asset_of_the_account(world):
    assets = assets_from_delivery(
        deliveries=[DeliveredUnits(world["pump_line"], D(2), ["P-1", "P-2"]),
                    DeliveredUnits(world["oil_line"], D(10))],
        actor=world["admin"], delivered_on=date(2026, 11, 2))
    assert sorted(a.serial_number for a in assets) == ["P-1", "P-2"]
    assert {(a.account_id, a.order_line_id, a.warranty_start) for a in assets} == {
        (world["account"].pk, world["pump_line"].pk, date(2026, 11, 2))}


@pytest.mark.parametrize("serials", [["P-1"], ["P-1", "P-1"], ["P-1", "P-2", "P-3"]])
def test_serialised_units_need_one_distinct_serial_each(world, serials):
    with pytest.raises(ValidationError):
        assets_from_delivery(deliveries=[DeliveredUnits(world["pump_line"], D(2), serials)],
                             actor=world["admin"])
    assert not Asset.objects.exists()


def test_a_serial_already_registered_for_the_product_is_refused(world):
    assets_from_delivery(deliveries=[DeliveredUnits(world["pump_line"], D(1), ["P-9"])],
                         actor=world["admin"])
    with pytest.raises(ValidationError):
        assets_from_delivery(deliveries=[DeliveredUnits(world["pump_line"], D(1), ["P-9"])],
                             actor=world["admin"])
    assert Asset.objects.count() == 1
