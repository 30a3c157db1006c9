"""Assets: registered by hand, by the portal (pending until verified) and from deliveries;
components of any depth without cycles; visibility follows the account; the asset page
shows coverage, the component tree and the whole service history in a fixed number of
queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from crm.orders.services import OrderLineInput, order_create
from crm.service.models import AssetStatus, ServiceContract
from crm.service.selectors import (
    asset_get_for,
    asset_subtree_ids,
    asset_visible_queryset,
)
from crm.service.services import (
    DeliveredUnits,
    asset_register_by_member,
    asset_retire,
    asset_update,
    asset_verify,
    assets_from_delivery,
)
from crm.service.services.assets import warranty_end_after
from tenants.users.models import User, UserKind
from tests.crm.catalog.factories import make_product
from tests.crm.service.service_factories import new_asset, new_request


def test_an_asset_by_hand_needs_a_product_or_a_make_and_model(service_world):
    admin, mine = service_world["admin"], service_world["mine"]
    with pytest.raises(ValidationError) as error:
        new_asset(actor=admin, account=mine, make="", model="")
    assert "model" in error.value.message_dict
    asset = new_asset(actor=admin, account=mine, make="Siemens", model="S7-1200",
                      serial_number="S7-1")
    assert asset.status == AssetStatus.ACTIVE
    assert asset.registered_by == admin


def test_a_serial_number_is_unique_per_product_or_model(service_world):
    admin, mine = service_world["admin"], service_world["mine"]
    new_asset(actor=admin, account=mine, model="X1", serial_number="DUP-1")
    with pytest.raises(ValidationError) as error:
        new_asset(actor=admin, account=service_world["theirs"], model="X1",
                  serial_number="DUP-1")
    assert "serial_number" in error.value.message_dict
    assert new_asset(actor=admin, account=mine, model="X2", serial_number="DUP-1").pk


def test_warranty_cannot_end_before_it_starts(service_world):
    with pytest.raises(ValidationError) as error:
        new_asset(actor=service_world["admin"], account=service_world["mine"],
                  warranty_start=date(2026, 5, 1), warranty_end=date(2026, 4, 30))
    assert "warranty_end" in error.value.message_dict


def test_components_nest_to_any_depth_and_cycles_are_refused(service_world):
    admin, mine = service_world["admin"], service_world["mine"]
    system = new_asset(actor=admin, account=mine)
    unit = new_asset(actor=admin, account=mine, parent=system)
    part = new_asset(actor=admin, account=mine, parent=unit)
    assert set(asset_subtree_ids(asset_id=system.pk)) == {system.pk, unit.pk, part.pk}
    for parent in (part, unit):
        with pytest.raises(ValidationError) as error:
            asset_update(asset=system, actor=admin, parent=parent)
        assert "parent" in error.value.message_dict
    with pytest.raises(ValidationError):
        asset_update(asset=unit, actor=admin, parent=unit)
    system.refresh_from_db()
    assert system.parent_id is None


def test_a_component_belongs_to_an_asset_of_the_same_account(service_world):
    admin = service_world["admin"]
    foreign = new_asset(actor=admin, account=service_world["theirs"])
    with pytest.raises(ValidationError) as error:
        new_asset(actor=admin, account=service_world["mine"], parent=foreign)
    assert "parent" in error.value.message_dict


def test_retiring_keeps_the_asset_and_read_only_users_cannot_change_assets(service_world):
    admin, mine = service_world["admin"], service_world["mine"]
    asset = new_asset(actor=admin, account=mine)
    assert asset_retire(asset=asset, actor=admin).status == AssetStatus.RETIRED
    with pytest.raises(PermissionDenied):
        asset_update(asset=asset, actor=service_world["users"]["readonly"], notes="x")


@pytest.fixture
def member(service_world):
    """A portal member of the rep's customer, with the portal's account rule registered."""
    from crm.accounts.models import Account
    from crm.service import members

    user = User.objects.create_user(email="member@customer.test", password="x-Long-pass-1",
                                    kind=UserKind.MEMBER)
    saved = list(members._rules)
    saved_requests = list(members._request_rules)
    members._request_rules[:] = []  # the account rule alone decides here
    members.register_member_accounts(
        lambda viewer: Account.objects.filter(pk=service_world["mine"].pk).values("pk")
        if viewer.pk == user.pk else Account.objects.none().values("pk"))
    yield user
    members._rules[:] = saved
    members._request_rules[:] = saved_requests


def test_a_member_registers_a_pending_asset_that_staff_verify(service_world, member):
    mine = service_world["mine"]
    asset = asset_register_by_member(member=member, account=mine, make="ABB",
                                     model="ACS580", serial_number="ACS-1")
    assert asset.status == AssetStatus.PENDING
    assert asset.registered_by == member
    assert list(asset_visible_queryset(member)) == [asset]
    with pytest.raises(PermissionDenied):
        asset_register_by_member(member=member, account=service_world["theirs"],
                                 model="Y", serial_number="ACS-2")
    verified = asset_verify(asset=asset, actor=service_world["agent"],
                            warranty_end=date(2027, 1, 31))
    assert verified.status == AssetStatus.ACTIVE
    assert verified.warranty_end == date(2027, 1, 31)
    with pytest.raises(ValidationError):
        asset_verify(asset=verified, actor=service_world["agent"])


def test_warranty_from_the_products_warranty_period_on_delivery(service_world):
    admin = service_world["admin"]
    product = make_product(actor=admin, name="Gateway", serialized=True)
    product.warranty_months = 24
    product.save(update_fields=["warranty_months"])
    order = order_create(account=service_world["mine"], actor=admin, currency="USD", lines=[
        OrderLineInput(product=product, quantity=Decimal(1), unit_price=Decimal(10))])
    (asset,) = assets_from_delivery(
        deliveries=[DeliveredUnits(order.lines.get(), Decimal(1), ["GW-1"])], actor=admin,
        delivered_on=date(2026, 2, 28))
    assert (asset.warranty_start, asset.warranty_end) == (date(2026, 2, 28), date(2028, 2, 27))
    assert warranty_end_after(date(2026, 1, 31), 1) == date(2026, 2, 27)


def test_asset_visibility_follows_the_account(service_world):
    admin, rep, rep2 = service_world["admin"], service_world["rep"], service_world["rep2"]
    asset = new_asset(actor=admin, account=service_world["mine"])
    assert asset_get_for(viewer=rep, asset_id=asset.pk) == asset
    assert asset_get_for(viewer=service_world["agent"], asset_id=asset.pk) == asset
    with pytest.raises(Http404):
        asset_get_for(viewer=rep2, asset_id=asset.pk)
    with pytest.raises(Http404):
        asset_get_for(viewer=rep, asset_id="garbage")


@pytest.fixture
def asset_tree(service_world, in_tenant, tenant_a):
    """A system with two units, each with two parts, and requests against several of them."""
    admin, mine = service_world["admin"], service_world["mine"]
    with in_tenant(tenant_a):
        system = new_asset(actor=admin, account=mine, warranty_start=date(2026, 1, 1),
                           warranty_end=date(2099, 1, 1))
        everything = [system]
        for _unit in range(2):
            unit = new_asset(actor=admin, account=mine, parent=system)
            everything.append(unit)
            everything += [new_asset(actor=admin, account=mine, parent=unit) for _ in range(2)]
        for asset in everything[::2]:
            new_request(actor=admin, account=mine, asset=asset)
        contract = ServiceContract.objects.create(
            account=mine, sla_policy=service_world["policy"],
            starts_on=date.today() - timedelta(days=1), ends_on=date.today() + timedelta(days=30))
        contract.assets.add(system)
    return {"system": system, "all": everything, "contract": contract}


def test_the_asset_page_shows_coverage_components_and_the_whole_history(
        tenant_a, tenant_client, service_world, asset_tree, django_assert_max_num_queries):
    client = tenant_client(tenant_a, service_world["agent"])
    url = f"/crm/service/assets/{asset_tree['system'].pk}/"
    with django_assert_max_num_queries(30):
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Under warranty" in body
    assert str(asset_tree["contract"]) in body
    for asset in asset_tree["all"][1:]:
        assert asset.serial_number in body
    assert body.count("crm/service/requests/") >= 4  # every request of the subtree is listed


def test_the_asset_page_query_count_does_not_grow_with_the_tree(
        tenant_a, tenant_client, in_tenant, service_world, asset_tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = tenant_client(tenant_a, service_world["agent"])
    url = f"/crm/service/assets/{asset_tree['system'].pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    with in_tenant(tenant_a):
        admin, mine = service_world["admin"], service_world["mine"]
        for unit in asset_tree["all"][1:4]:
            part = new_asset(actor=admin, account=mine, parent=unit)
            new_request(actor=admin, account=mine, asset=part)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_asset_list_filters_and_stays_within_its_query_budget(
        tenant_a, tenant_client, service_world, asset_tree, django_assert_max_num_queries):
    client = tenant_client(tenant_a, service_world["rep"])
    with django_assert_max_num_queries(25):
        response = client.get("/crm/service/assets/?top_level=true")
    assert response.status_code == 200
    body = response.content.decode()
    assert asset_tree["system"].serial_number in body
    assert asset_tree["all"][1].serial_number not in body


def test_another_reps_and_another_tenants_asset_pages_are_404(
        tenant_a, tenant_b, tenant_client, service_world, asset_tree):
    url = f"/crm/service/assets/{asset_tree['system'].pk}/"
    assert tenant_client(tenant_a, service_world["rep2"]).get(url).status_code == 404
    assert tenant_client(tenant_b, tenant_b.users["admin"]).get(url).status_code == 404
