"""Deliveries: partial deliveries, never above the ordered quantity, one serial number per
unit of a serialised product, delivered units become the customer's assets (through
crm.service's assets_from_delivery), statuses and the order.delivered event."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crm.core.events import subscriber
from crm.orders.models import OrderDelivery, OrderStatus
from crm.orders.selectors import tenant_currency
from crm.orders.services import (
    DeliveryInput,
    OrderLineInput,
    order_amend,
    order_approve,
    order_create,
    order_deliver,
    order_submit,
)
from crm.service.models import Asset

D = Decimal
delivered_events: list = []


@subscriber("order.delivered")
def _record(event):
    delivered_events.append(event)


@pytest.fixture
def approved(world, in_tenant):
    with in_tenant(world["tenant"]):
        order = order_create(
            account=world["account"], actor=world["rep"], currency=tenant_currency(),
            lines=[OrderLineInput(product=world["sensor"], description="Sensor",
                                  quantity=D(5), unit_price=D(100)),
                   OrderLineInput(product=world["cable"], description="Cable",
                                  quantity=D("2.5"), unit_price=D(5))])
        order = order_approve(order=order_submit(order=order, actor=world["rep"]),
                              actor=world["manager"])
        sensor_line, cable_line = order.lines.order_by("position")
        yield {**world, "order": order, "sensor_line": sensor_line, "cable_line": cable_line}


def test_a_partial_delivery_with_serials_makes_assets_and_partly_delivers(
        approved, django_capture_on_commit_callbacks):
    delivered_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        delivery = order_deliver(order=approved["order"], actor=approved["rep"], deliveries=[
            DeliveryInput(line=approved["sensor_line"], quantity=D(2),
                          serial_numbers=["SN-1", "SN-2"])])
    order = approved["order"]
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_DELIVERED
    assets = Asset.objects.filter(order_line=approved["sensor_line"]).order_by("serial_number")
    assert [(a.serial_number, a.account_id, a.product_id) for a in assets] == [
        ("SN-1", approved["account"].pk, approved["sensor"].pk),
        ("SN-2", approved["account"].pk, approved["sensor"].pk)]
    assert list(delivery.lines.values_list("serial_numbers", flat=True)) == [["SN-1", "SN-2"]]
    assert [e.data["status"] for e in delivered_events] == ["partly_delivered"]
    assert delivered_events[0].data["assets"] == sorted(a.pk for a in assets)


def test_delivering_the_rest_delivers_the_order(approved):
    order = approved["order"]
    order_deliver(order=order, actor=approved["rep"], deliveries=[
        DeliveryInput(line=approved["sensor_line"], quantity=D(2), serial_numbers=["A", "B"])])
    order_deliver(order=order, actor=approved["rep"], deliveries=[
        DeliveryInput(line=approved["sensor_line"], quantity=D(3),
                      serial_numbers=["C", "D", "E"]),
        DeliveryInput(line=approved["cable_line"], quantity=D("2.5"))])
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert Asset.objects.filter(order_line__order=order).count() == 5
    assert OrderDelivery.objects.filter(order=order).count() == 2
    with pytest.raises(ValidationError):  # nothing left to deliver
        order_deliver(order=order, actor=approved["rep"], deliveries=[
            DeliveryInput(line=approved["cable_line"], quantity=D(1))])


def test_never_above_the_ordered_quantity(approved):
    with pytest.raises(ValidationError) as error:
        order_deliver(order=approved["order"], actor=approved["rep"], deliveries=[
            DeliveryInput(line=approved["cable_line"], quantity=D(3))])
    assert "quantity" in error.value.message_dict
    approved["cable_line"].refresh_from_db()
    assert approved["cable_line"].delivered_quantity == 0


def test_a_serialised_product_needs_one_serial_per_unit(approved):
    with pytest.raises(ValidationError) as error:
        order_deliver(order=approved["order"], actor=approved["rep"], deliveries=[
            DeliveryInput(line=approved["sensor_line"], quantity=D(2),
                          serial_numbers=["only-one"])])
    assert "serial_numbers" in error.value.message_dict
    assert not Asset.objects.filter(order_line=approved["sensor_line"]).exists()


def test_a_serial_number_already_registered_is_refused(approved):
    order_deliver(order=approved["order"], actor=approved["rep"], deliveries=[
        DeliveryInput(line=approved["sensor_line"], quantity=D(1), serial_numbers=["X1"])])
    with pytest.raises(ValidationError):
        order_deliver(order=approved["order"], actor=approved["rep"], deliveries=[
            DeliveryInput(line=approved["sensor_line"], quantity=D(1), serial_numbers=["X1"])])


def test_an_unserialised_line_needs_no_serials_and_makes_no_assets(approved):
    order_deliver(order=approved["order"], actor=approved["rep"], deliveries=[
        DeliveryInput(line=approved["cable_line"], quantity=D(1))])
    assert not Asset.objects.exists()
    approved["cable_line"].refresh_from_db()
    assert approved["cable_line"].delivered_quantity == D(1)


def test_a_draft_or_pending_order_is_not_delivered(world, in_tenant):
    with in_tenant(world["tenant"]):
        order = order_create(account=world["account"], actor=world["rep"],
                             currency=tenant_currency(),
                             lines=[OrderLineInput(description="x", quantity=D(1),
                                                   unit_price=D(1))])
        line = order.lines.get()
        with pytest.raises(ValidationError):
            order_deliver(order=order, actor=world["rep"],
                          deliveries=[DeliveryInput(line=line, quantity=D(1))])
        order_submit(order=order, actor=world["rep"])
        with pytest.raises(ValidationError):
            order_deliver(order=order, actor=world["rep"],
                          deliveries=[DeliveryInput(line=line, quantity=D(1))])


def test_an_open_amendment_holds_deliveries_and_keeps_delivered_quantities(approved):
    order = approved["order"]
    order_deliver(order=order, actor=approved["rep"], deliveries=[
        DeliveryInput(line=approved["sensor_line"], quantity=D(2), serial_numbers=["A", "B"])])
    amendment = order_amend(order=order, actor=approved["rep"])
    with pytest.raises(ValidationError):
        order_deliver(order=order, actor=approved["rep"], deliveries=[
            DeliveryInput(line=approved["cable_line"], quantity=D(1))])
    assert [line.delivered_quantity for line in amendment.lines.order_by("position")] == [
        D(2), D(0)]
    amendment = order_approve(order=order_submit(order=amendment, actor=approved["rep"]),
                              actor=approved["manager"])
    assert amendment.status == OrderStatus.PARTLY_DELIVERED


def test_an_amendment_may_not_drop_below_what_was_delivered(approved):
    from crm.orders.services import order_update

    order = approved["order"]
    order_deliver(order=order, actor=approved["rep"], deliveries=[
        DeliveryInput(line=approved["sensor_line"], quantity=D(3),
                      serial_numbers=["A", "B", "C"])])
    amendment = order_amend(order=order, actor=approved["rep"])
    with pytest.raises(ValidationError):
        order_update(order=amendment, actor=approved["rep"], lines=[
            OrderLineInput(product=approved["sensor"], description="Sensor", quantity=D(2),
                           unit_price=D(100))])
    amendment = order_update(order=amendment, actor=approved["rep"], lines=[
        OrderLineInput(product=approved["sensor"], description="Sensor", quantity=D(4),
                       unit_price=D(100))])
    assert amendment.lines.get().delivered_quantity == D(3)
