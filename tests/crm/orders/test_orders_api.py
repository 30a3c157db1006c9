"""/api/v1/orders/: names for integrators, entering orders like quotes, the actions, the
upsert by external id, isolation across tenants and reps, and the list's query budget."""

import json
from decimal import Decimal

import pytest

from crm.orders.models import Order, OrderStatus
from crm.orders.services import order_approve, order_submit
from crm.service.models import Asset
from tests.crm.orders.factories import make_order

API = "/api/v1/orders"
D = Decimal


def _post(client, path, body=None):
    return client.post(path, data=json.dumps(body or {}), content_type="application/json")


def _put(client, path, body):
    return client.put(path, data=json.dumps(body), content_type="application/json")


def test_post_enters_an_order_with_prices_from_the_pricing_service(world, tenant_client):
    client = tenant_client(world["tenant"], world["rep"])
    response = _post(client, f"{API}/", {
        "account": world["account"].pk, "delivery_terms": "EXW", "payment_terms": "30 days",
        "lines": [{"product": world["sensor"].pk, "quantity": "3"},
                  {"description": "Installation", "quantity": "1", "unit_price": "250.5",
                   "tax_rate": "6", "discount_percent": "10"}]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["number"].startswith("SO-")
    assert body["revision"] == 1
    assert (body["delivery_terms"], body["payment_terms"]) == ("EXW", "30 days")
    assert [line["line_net"] for line in body["lines"]] == ["300.00", "225.45"]
    assert body["lines"][1]["line_tax"] == "13.53"
    assert (body["subtotal"], body["tax_total"], body["total"]) == ("525.45", "13.53",
                                                                    "538.98")
    assert body["approvals"] == []


@pytest.mark.parametrize("body", [
    {"lines": []},
    {"lines": [{"quantity": "1"}]},
    {"lines": [{"description": "x", "quantity": "-1", "unit_price": "1"}]},
    {"lines": [{"description": "x", "quantity": "1"}]},
    {"lines": [{"description": "x", "quantity": "1", "unit_price": "1",
                "discount_percent": "101"}]},
    {"kind": "contract", "lines": [{"description": "x", "quantity": "1", "unit_price": "1"}]},
])
def test_bad_orders_answer_400(world, tenant_client, body):
    client = tenant_client(world["tenant"], world["rep"])
    response = _post(client, f"{API}/", {"account": world["account"].pk, **body})
    assert response.status_code == 400, response.content


def test_submit_approve_and_the_approvals_trail(world, tenant_client):
    rep = tenant_client(world["tenant"], world["rep"])
    manager = tenant_client(world["tenant"], world["manager"])
    order_id = _post(rep, f"{API}/", {"account": world["account"].pk, "lines": [
        {"description": "Big machine", "quantity": "1", "unit_price": "700000"}]}).json()["id"]
    body = _post(rep, f"{API}/{order_id}/submit/").json()
    assert body["status"] == "pending_approval"
    assert body["approvals"] == [{
        "round": 1, "step": 1, "step_label": "Sales manager review", "approver": None,
        "approvers": [world["manager"].pk], "decision": "pending", "comment": "",
        "at": None}]
    assert _post(rep, f"{API}/{order_id}/approve/").status_code == 403
    assert _post(tenant_client(world["tenant"], world["manager2"]),
                 f"{API}/{order_id}/approve/").status_code == 404  # not even visible
    body = _post(manager, f"{API}/{order_id}/approve/", {"comment": "ok"}).json()
    assert [(a["step"], a["decision"], a["approver"]) for a in body["approvals"]] == [
        (1, "approved", world["manager"].pk), (2, "pending", None)]
    assert body["approvals"][0]["at"].endswith("Z")
    admin = tenant_client(world["tenant"], world["admin"])
    assert _post(admin, f"{API}/{order_id}/reject/", {}).status_code == 400  # no comment
    body = _post(admin, f"{API}/{order_id}/approve/").json()
    assert body["status"] == "approved"
    patch = rep.patch(f"{API}/{order_id}/", data=json.dumps({"payment_terms": "x"}),
                      content_type="application/json")
    assert patch.status_code == 400  # locked


def test_reject_returns_to_draft(world, tenant_client):
    rep = tenant_client(world["tenant"], world["rep"])
    manager = tenant_client(world["tenant"], world["manager"])
    order_id = _post(rep, f"{API}/", {"account": world["account"].pk, "lines": [
        {"description": "x", "quantity": "1", "unit_price": "10"}]}).json()["id"]
    _post(rep, f"{API}/{order_id}/submit/")
    body = _post(manager, f"{API}/{order_id}/reject/", {"comment": "Too cheap"}).json()
    assert body["status"] == "draft"
    assert body["approvals"][0]["decision"] == "rejected"
    assert body["approvals"][0]["comment"] == "Too cheap"
    patch = rep.patch(f"{API}/{order_id}/", data=json.dumps({
        "lines": [{"description": "x", "quantity": "2", "unit_price": "10"}]}),
        content_type="application/json")
    assert patch.status_code == 200
    assert patch.json()["total"] == "20.00"


def test_deliver_and_amend_actions(world, tenant_client, in_tenant):
    with in_tenant(world["tenant"]):
        order = make_order(account=world["account"], actor=world["rep"], amount="100",
                           quantity=2, product=world["sensor"])
        order = order_approve(order=order_submit(order=order, actor=world["rep"]),
                              actor=world["manager"])
        line_id = order.lines.get().pk
    rep = tenant_client(world["tenant"], world["rep"])
    bad = _post(rep, f"{API}/{order.pk}/deliver/", {"lines": [
        {"line": line_id, "quantity": "1"}]})
    assert bad.status_code == 400  # a serialised unit needs its serial number
    foreign = _post(rep, f"{API}/{order.pk}/deliver/", {"lines": [
        {"line": 999999, "quantity": "1"}]})
    assert foreign.status_code == 400
    body = _post(rep, f"{API}/{order.pk}/deliver/", {"lines": [
        {"line": line_id, "quantity": "1", "serial_numbers": ["API-1"]}]}).json()
    assert body["status"] == "partly_delivered"
    assert body["lines"][0]["delivered_quantity"] == "1"
    with in_tenant(world["tenant"]):
        assert Asset.objects.get(serial_number="API-1").order_line_id == line_id
    amended = _post(rep, f"{API}/{order.pk}/amend/")
    assert amended.status_code == 201
    assert (amended.json()["number"], amended.json()["revision"],
            amended.json()["amends"]) == (order.number, 2, order.pk)


def test_upsert_by_external_id_creates_then_updates_the_draft(world, tenant_client):
    client = tenant_client(world["tenant"], world["rep"])
    body = {"account": world["account"].pk, "payment_terms": "30 days",
            "lines": [{"description": "ERP line", "quantity": "1", "unit_price": "99"}]}
    first = _put(client, f"{API}/external/ERP-77/", body)
    assert first.status_code == 201, first.content
    again = _put(client, f"{API}/external/ERP-77/", {**body, "payment_terms": "45 days"})
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["payment_terms"] == "45 days"
    assert again.json()["external_id"] == "ERP-77"
    other_rep = tenant_client(world["tenant"], world["rep2"])
    assert _put(other_rep, f"{API}/external/ERP-77/", body).status_code == 404


def test_another_tenants_order_is_a_404(world, tenant_b, tenant_client, in_tenant):
    with in_tenant(world["tenant"]):
        order = make_order(account=world["account"], actor=world["rep"])
    client = tenant_client(tenant_b, tenant_b.users["admin"])
    for method, path in (("get", f"{API}/{order.pk}/"), ("post", f"{API}/{order.pk}/submit/"),
                         ("post", f"{API}/{order.pk}/approve/"),
                         ("post", f"{API}/{order.pk}/deliver/"),
                         ("post", f"{API}/{order.pk}/amend/")):
        assert getattr(client, method)(path).status_code == 404, path
    assert client.get(f"{API}/").json()["results"] == []


def test_another_reps_order_is_a_404_and_a_service_agent_sees_none(world, tenant_client,
                                                                  in_tenant):
    with in_tenant(world["tenant"]):
        mine = make_order(account=world["account"], actor=world["rep"])
        theirs = make_order(account=world["theirs"], actor=world["rep2"], owner=world["rep2"])
    client = tenant_client(world["tenant"], world["rep"])
    assert client.get(f"{API}/{theirs.pk}/").status_code == 404
    assert [row["id"] for row in client.get(f"{API}/").json()["results"]] == [mine.pk]
    manager = tenant_client(world["tenant"], world["manager"])
    assert manager.get(f"{API}/{theirs.pk}/").status_code == 404
    assert tenant_client(world["tenant"], world["manager2"]).get(
        f"{API}/{theirs.pk}/").status_code == 200
    agent = tenant_client(world["tenant"], world["agent"])
    assert agent.get(f"{API}/{mine.pk}/").status_code == 404


def test_filters_by_status(world, tenant_client, in_tenant):
    with in_tenant(world["tenant"]):
        draft = make_order(account=world["account"], actor=world["rep"])
        pending = order_submit(order=make_order(account=world["account"], actor=world["rep"]),
                               actor=world["rep"])
    client = tenant_client(world["tenant"], world["rep"])
    rows = client.get(f"{API}/?status=pending_approval").json()["results"]
    assert [row["id"] for row in rows] == [pending.pk]
    assert draft.pk not in [row["id"] for row in rows]
    assert client.get(f"{API}/?status=nonsense").status_code == 400


def test_the_list_has_a_query_budget(world, tenant_client, in_tenant,
                                     django_assert_max_num_queries):
    with in_tenant(world["tenant"]):
        for index in range(12):
            order = make_order(account=world["account"], actor=world["rep"],
                               amount=str(100 + index))
            if index % 2:
                order_approve(order=order_submit(order=order, actor=world["rep"]),
                              actor=world["manager"])
        assert Order.objects.filter(status=OrderStatus.APPROVED).count() == 6
    client = tenant_client(world["tenant"], world["rep"])
    with django_assert_max_num_queries(16):
        response = client.get(f"{API}/")
    assert len(response.json()["results"]) == 12
