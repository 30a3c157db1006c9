"""Order pages: list (filters, COUNT-free pages, query budget), detail with the approval
trail and the delivery form, draft create/edit, the approvals inbox, actions by POST, the
settings page for administrators, the account panel, and isolation (404)."""

from decimal import Decimal

import pytest

from crm.orders.models import ApprovalChainStep, Order, OrderStatus
from crm.orders.services import order_approve, order_submit
from crm.service.models import Asset
from tests.crm.orders.factories import make_order

D = Decimal


def _order(world, in_tenant, **fields):
    with in_tenant(world["tenant"]):
        return make_order(account=world["account"], actor=world["rep"], **fields)


def test_the_list_shows_visible_orders_with_filters(world, tenant_client, in_tenant):
    draft = _order(world, in_tenant, amount="123.45")
    with in_tenant(world["tenant"]):
        theirs = make_order(account=world["theirs"], actor=world["rep2"], owner=world["rep2"])
    client = tenant_client(world["tenant"], world["rep"])
    page = client.get("/crm/orders/")
    assert page.status_code == 200
    html = page.content.decode()
    assert draft.number in html
    assert theirs.number not in html
    assert f'data-order-id="{draft.pk}"' in html
    filtered = client.get("/crm/orders/?status=approved").content.decode()
    assert f'data-order-id="{draft.pk}"' not in filtered
    assert client.get("/crm/orders/?status=bogus&page=x").status_code == 200


def test_the_list_page_has_a_query_budget(world, tenant_client, in_tenant,
                                          django_assert_max_num_queries):
    with in_tenant(world["tenant"]):
        for index in range(15):
            make_order(account=world["account"], actor=world["rep"], amount=str(10 + index))
    client = tenant_client(world["tenant"], world["rep"])
    client.get("/crm/orders/")  # warm the per-session caches
    with django_assert_max_num_queries(18):
        response = client.get("/crm/orders/")
    assert response.content.decode().count("data-order-id=") == 15
    assert b"COUNT(" not in response.content


def test_create_and_edit_a_draft_through_the_form(world, tenant_client, in_tenant):
    client = tenant_client(world["tenant"], world["rep"])
    assert client.get(f"/crm/orders/new/?account={world['account'].pk}").status_code == 200
    data = {"account": world["account"].pk, "kind": "order", "currency": "USD",
            "delivery_terms": "FOB", "payment_terms": "Net 30",
            "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
            "lines-0-product": world["sensor"].pk, "lines-0-quantity": "2",
            "lines-1-description": "Set-up", "lines-1-quantity": "1",
            "lines-1-unit_price": "50"}
    with in_tenant(world["tenant"]):
        from crm.orders.selectors import tenant_currency
        data["currency"] = tenant_currency()
    response = client.post("/crm/orders/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with in_tenant(world["tenant"]):
        order = Order.objects.get(delivery_terms="FOB")
        assert order.total == D("250.00")
        assert order.lines.count() == 2
    edit = {**data, "payment_terms": "Net 60", "lines-TOTAL_FORMS": "1",
            "lines-0-quantity": "3"}
    edit.pop("account")
    assert client.post(f"/crm/orders/{order.pk}/edit/", edit).status_code == 302
    with in_tenant(world["tenant"]):
        order.refresh_from_db()
        assert (order.payment_terms, order.total) == ("Net 60", D("300.00"))
    bad = client.post("/crm/orders/new/", {**data, "lines-0-quantity": "-1"})
    assert bad.status_code == 400


def test_submit_approve_by_page_and_the_inbox(world, tenant_client, in_tenant):
    order = _order(world, in_tenant)
    rep = tenant_client(world["tenant"], world["rep"])
    assert rep.post(f"/crm/orders/{order.pk}/submit/").status_code == 302
    manager = tenant_client(world["tenant"], world["manager"])
    inbox = manager.get("/crm/orders/approvals/").content.decode()
    assert f'data-order-id="{order.pk}"' in inbox
    assert f'data-order-id="{order.pk}"' not in rep.get("/crm/orders/approvals/").content.decode()
    detail = manager.get(f"/crm/orders/{order.pk}/").content.decode()
    assert "approval-trail" in detail
    assert 'data-decision="pending"' in detail
    assert "/approve/" in detail
    # A rep posting an approval changes nothing.
    rep.post(f"/crm/orders/{order.pk}/approve/")
    with in_tenant(world["tenant"]):
        assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_APPROVAL
    manager.post(f"/crm/orders/{order.pk}/approve/", {"comment": "Looks right"})
    with in_tenant(world["tenant"]):
        assert Order.objects.get(pk=order.pk).status == OrderStatus.APPROVED
    detail = rep.get(f"/crm/orders/{order.pk}/").content.decode()
    assert "Looks right" in detail
    assert 'data-decision="approved"' in detail
    assert rep.get(f"/crm/orders/{order.pk}/edit/").status_code == 302  # locked


def test_reject_by_page_needs_a_comment(world, tenant_client, in_tenant):
    order = _order(world, in_tenant)
    with in_tenant(world["tenant"]):
        order_submit(order=order, actor=world["rep"])
    manager = tenant_client(world["tenant"], world["manager"])
    manager.post(f"/crm/orders/{order.pk}/reject/", {"comment": ""})
    with in_tenant(world["tenant"]):
        assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_APPROVAL
    manager.post(f"/crm/orders/{order.pk}/reject/", {"comment": "Check the terms"})
    with in_tenant(world["tenant"]):
        assert Order.objects.get(pk=order.pk).status == OrderStatus.DRAFT


def test_delivery_form_with_serial_numbers(world, tenant_client, in_tenant):
    with in_tenant(world["tenant"]):
        order = make_order(account=world["account"], actor=world["rep"], amount="100",
                           quantity=3, product=world["sensor"])
        order = order_approve(order=order_submit(order=order, actor=world["rep"]),
                              actor=world["manager"])
        line = order.lines.get()
    client = tenant_client(world["tenant"], world["rep"])
    detail = client.get(f"/crm/orders/{order.pk}/").content.decode()
    assert "delivery-form" in detail
    assert f"serials_{line.pk}" in detail
    client.post(f"/crm/orders/{order.pk}/deliver/", {f"quantity_{line.pk}": "2",
                                                     f"serials_{line.pk}": "P-1\nP-2"})
    with in_tenant(world["tenant"]):
        assert Order.objects.get(pk=order.pk).status == OrderStatus.PARTLY_DELIVERED
        assert set(Asset.objects.values_list("serial_number", flat=True)) == {"P-1", "P-2"}
    client.post(f"/crm/orders/{order.pk}/deliver/", {f"quantity_{line.pk}": "abc"})
    client.post(f"/crm/orders/{order.pk}/deliver/", {f"quantity_{line.pk}": "5",
                                                     f"serials_{line.pk}": "a b c d e"})
    with in_tenant(world["tenant"]):
        line.refresh_from_db()
        assert line.delivered_quantity == D(2)
    amended = client.post(f"/crm/orders/{order.pk}/amend/")
    assert amended.status_code == 302
    with in_tenant(world["tenant"]):
        amendment = Order.objects.get(amends=order)
    assert amended["Location"] == f"/crm/orders/{amendment.pk}/"


def test_settings_page_for_admins_only(world, tenant_client, in_tenant):
    admin = tenant_client(world["tenant"], world["admin"])
    page = admin.get("/crm/settings/orders/")
    assert page.status_code == 200
    assert "Finance re-check" in page.content.decode()
    response = admin.post("/crm/settings/orders/steps/new/", {
        "position": "3", "label": "CEO sign-off", "approver_kind": "user",
        "user": world["admin"].pk, "min_amount": "2000000"})
    assert response.status_code == 302
    with in_tenant(world["tenant"]):
        step = ApprovalChainStep.objects.get(label="CEO sign-off")
    bad = admin.post(f"/crm/settings/orders/steps/{step.pk}/", {
        "position": "3", "label": "CEO", "approver_kind": "role", "role": "sales_rep",
        "min_amount": "1"})
    assert bad.status_code == 400  # reps have no approval limit
    assert admin.post("/crm/settings/orders/", {"renewal_lead_days": "45"}).status_code == 302
    assert admin.post(f"/crm/settings/orders/steps/{step.pk}/delete/").status_code == 302
    with in_tenant(world["tenant"]):
        from crm.orders.selectors import order_settings_get
        assert order_settings_get().renewal_lead_days == 45
        assert not ApprovalChainStep.objects.filter(pk=step.pk).exists()
    for key in ("manager", "rep"):
        client = tenant_client(world["tenant"], world[key])
        assert client.get("/crm/settings/orders/").status_code == 403


def test_the_account_page_has_an_orders_panel(world, tenant_client, in_tenant):
    order = _order(world, in_tenant)
    client = tenant_client(world["tenant"], world["rep"])
    html = client.get(f"/crm/accounts/{world['account'].pk}/").content.decode()
    assert 'id="account-orders"' in html
    assert f'data-order-id="{order.pk}"' in html


@pytest.mark.parametrize("path", ["/crm/orders/{pk}/", "/crm/orders/{pk}/edit/"])
def test_other_tenants_and_other_reps_get_a_404(world, tenant_b, tenant_client, in_tenant,
                                                path):
    order = _order(world, in_tenant)
    other_tenant = tenant_client(tenant_b, tenant_b.users["admin"])
    assert other_tenant.get(path.format(pk=order.pk)).status_code == 404
    other_rep = tenant_client(world["tenant"], world["rep2"])
    assert other_rep.get(path.format(pk=order.pk)).status_code == 404
    for action in ("submit", "approve", "reject", "deliver", "amend"):
        assert other_rep.post(f"/crm/orders/{order.pk}/{action}/").status_code == 404
