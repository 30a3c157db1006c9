"""/api/v1/orders/{id}/payments/, /api/v1/orders/{id}/schedule/, /api/v1/receivables/aging/
and the /crm/receivables/ pages: exact names, money as strings, roles, isolation across
tenants and reps (404), figures that equal their click-through lists, query budgets."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from crm.receivables.selectors import tenant_today
from tests.crm.accounts.factories import make_account
from tests.crm.receivables.factories import make_order, make_schedule

API = "/api/v1"
D = Decimal


def _json(client, method, path, body):
    return getattr(client, method)(path, data=json.dumps(body),
                                   content_type="application/json")


@pytest.fixture
def books(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        admin, rep, rep2 = (tenant_a.users[k] for k in ("admin", "rep", "rep2"))
        mine = make_account(name="Api Mine Ltd", owner=rep)
        theirs = make_account(name="Api Theirs Ltd", owner=rep2)
        order = make_order(account=mine, actor=admin, owner=rep, total="1234.50")
        other = make_order(account=theirs, actor=admin, owner=rep2, total="99.00")
        today = tenant_today()
        make_schedule(order=other, actor=admin, plan=[(today - timedelta(days=40), "99.00")])
    return {"order": order, "other": other, "mine": mine, "today": today}


def test_schedule_put_and_get_with_money_as_strings(tenant_a, tenant_client, books):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    path = f"{API}/orders/{books['order'].pk}/schedule/"
    bad = _json(client, "put", path, {"instalments": [
        {"due_on": "2026-03-01", "amount": "1000.00"}, {"due_on": "2026-04-01",
                                                        "amount": "234.49"}]})
    assert bad.status_code == 400
    assert "instalments" in bad.json()
    response = _json(client, "put", path, {"split": {"count": 3,
                                                     "first_due_on": "2026-03-01"}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [i["amount"] for i in body["instalments"]] == ["411.50", "411.50", "411.50"]
    assert [i["due_on"] for i in body["instalments"]] == ["2026-03-01", "2026-04-01",
                                                          "2026-05-01"]
    assert body["total"] == "1234.50"
    assert body["outstanding"] == "1234.50"
    assert client.get(path).json() == body


def test_payments_post_and_list(tenant_a, tenant_client, in_tenant, books):
    with in_tenant(tenant_a):
        first, second = make_schedule(order=books["order"], actor=tenant_a.users["admin"],
                                      plan=[(date(2026, 3, 1), "1000.00"),
                                            (date(2026, 4, 1), "234.50")])
    path = f"{API}/orders/{books['order'].pk}/payments/"
    rep = tenant_client(tenant_a, tenant_a.users["rep"])
    assert _json(rep, "post", path, {"amount": "10.00", "paid_on": "2026-03-02"}
                 ).status_code == 403
    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    created = _json(admin, "post", path, {"amount": "1100.00", "paid_on": "2026-03-02"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["amount"] == "1100.00"
    assert body["instalment"] is None
    assert body["allocations"] == [{"instalment": first.pk, "amount": "1000.00"},
                                   {"instalment": second.pk, "amount": "100.00"}]
    over = _json(admin, "post", path, {"amount": "134.51", "paid_on": "2026-03-03",
                                       "instalment": second.pk})
    assert over.status_code == 400
    assert "amount" in over.json()
    foreign = _json(admin, "post", path, {"amount": "1.00", "paid_on": "2026-03-03",
                                          "instalment": 999_999_999})
    assert foreign.status_code == 400
    assert "instalment" in foreign.json()
    listed = rep.get(path).json()["results"]
    assert [p["id"] for p in listed] == [body["id"]]
    assert rep.get(f"{API}/orders/{books['order'].pk}/schedule/").json()["paid"] == "1100.00"


def test_aging_api(tenant_a, tenant_client, books):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    as_of = books["today"].isoformat()
    body = client.get(f"{API}/receivables/aging/?group_by=account&as_of={as_of}").json()
    assert [b["key"] for b in body["buckets"]] == ["current", "1_30", "31_60", "61_90",
                                                   "90_plus"]
    (row,) = [r for r in body["rows"] if r["id"] == books["other"].account_id]
    assert row["buckets"]["31_60"] == "99.00"
    assert row["total"] == "99.00"
    assert client.get(f"{API}/receivables/aging/?group_by=team").status_code == 400
    assert client.get(f"{API}/receivables/aging/?as_of=garbage").status_code == 400
    rep = tenant_client(tenant_a, tenant_a.users["rep"])
    assert rep.get(f"{API}/receivables/aging/").json()["rows"] == []


def test_another_reps_order_is_a_404(tenant_a, tenant_client, books):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    other = books["other"].pk
    assert client.get(f"{API}/orders/{other}/payments/").status_code == 404
    assert client.get(f"{API}/orders/{other}/schedule/").status_code == 404
    assert _json(client, "put", f"{API}/orders/{other}/schedule/",
                 {"split": {"count": 1, "first_due_on": "2026-03-01"}}).status_code == 404
    assert client.get(f"/crm/receivables/orders/{other}/").status_code == 404
    agent = tenant_client(tenant_a, tenant_a.users["agent"])
    assert agent.get(f"{API}/orders/{books['order'].pk}/schedule/").status_code == 404


def test_another_tenants_order_is_a_404(tenant_a, tenant_b, tenant_client, books):
    from tests.conftest import SECOND_TENANT_ID_OFFSET

    assert books["order"].pk < SECOND_TENANT_ID_OFFSET
    client = tenant_client(tenant_b, tenant_b.users["admin"])
    for path in (f"{API}/orders/{books['order'].pk}/payments/",
                 f"{API}/orders/{books['order'].pk}/schedule/",
                 f"/crm/receivables/orders/{books['order'].pk}/"):
        assert client.get(path).status_code == 404
    assert _json(client, "post", f"{API}/orders/{books['order'].pk}/payments/",
                 {"amount": "1.00", "paid_on": "2026-01-02"}).status_code == 404
    assert client.get(f"{API}/receivables/aging/").json()["rows"] == []


def test_aging_page_figures_equal_their_instalment_lists(tenant_a, tenant_client, in_tenant,
                                                         books):
    with in_tenant(tenant_a):
        admin = tenant_a.users["admin"]
        today = books["today"]
        make_schedule(order=books["order"], actor=admin, plan=[
            (today + timedelta(days=5), "234.50"), (today - timedelta(days=3), "500.00"),
            (today - timedelta(days=95), "500.00")])
    client = tenant_client(tenant_a, admin)
    page = client.get("/crm/receivables/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="aging-chart"' in html
    assert "vendor/chartjs/chart.umd.js" in html
    links = re.findall(r'href="(/crm/receivables/instalments/\?[^"]*bucket=[^"]*rep=\d+)">'
                       r"([^<]+)</a>", html)
    assert len(links) >= 3
    for link, figure in links:
        listing = client.get(link.replace("&amp;", "&")).content.decode()
        total = re.search(r"<strong>([^<]+)</strong></td><td></td></tr>", listing).group(1)
        assert total == figure, link
    by_account = client.get("/crm/receivables/?group_by=account").content.decode()
    assert "Api Mine Ltd" in by_account
    assert "Api Theirs Ltd" in by_account


def test_order_page_records_a_payment_and_splits(tenant_a, tenant_client, books):
    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    base = f"/crm/receivables/orders/{books['order'].pk}/"
    assert admin.get(base).status_code == 200
    response = admin.post(base + "schedule/split/", {
        "count": "2", "first_due_on": "2026-03-01", "months_between": "1"})
    assert response.status_code == 302
    response = admin.post(base + "payments/", {"amount": "5000", "paid_on": "2026-03-02"})
    assert response.status_code == 400
    assert "a payment cannot be more" in \
        response.content.decode()
    response = admin.post(base + "payments/", {"amount": "617.25", "paid_on": "2026-03-02"})
    assert response.status_code == 302
    page = admin.get(base).content.decode()
    assert "617.25" in page
    rep = tenant_client(tenant_a, tenant_a.users["rep"])
    assert rep.post(base + "payments/", {"amount": "1", "paid_on": "2026-03-02"}
                    ).status_code == 403


def test_schedule_formset_edit(tenant_a, tenant_client, books):
    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    base = f"/crm/receivables/orders/{books['order'].pk}/"
    data = {"instalments-TOTAL_FORMS": "2", "instalments-INITIAL_FORMS": "0",
            "instalments-MIN_NUM_FORMS": "0", "instalments-MAX_NUM_FORMS": "120",
            "instalments-0-due_on": "2026-03-01", "instalments-0-amount": "1000",
            "instalments-1-due_on": "2026-04-01", "instalments-1-amount": "200"}
    refused = admin.post(base + "schedule/", data)
    assert refused.status_code == 400
    assert "add up to" in refused.content.decode()
    data["instalments-1-amount"] = "234.50"
    assert admin.post(base + "schedule/", data).status_code == 302


def test_list_query_budgets(tenant_a, tenant_client, in_tenant, books,
                            django_assert_max_num_queries):
    with in_tenant(tenant_a):
        admin = tenant_a.users["admin"]
        for index in range(8):
            order = make_order(account=books["mine"], actor=admin, total="300.00")
            make_schedule(order=order, actor=admin, plan=[
                (date(2026, 1, 1) + timedelta(days=index * 20), "100.00"),
                (date(2026, 2, 1) + timedelta(days=index * 20), "200.00")])
    client = tenant_client(tenant_a, admin)
    with django_assert_max_num_queries(12):
        assert client.get(f"{API}/receivables/aging/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/crm/receivables/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/crm/receivables/instalments/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"{API}/orders/{books['other'].pk}/payments/").status_code == 200


def test_account_page_shows_what_the_account_owes(tenant_a, tenant_client, in_tenant, books):
    with in_tenant(tenant_a):
        make_schedule(order=books["order"], actor=tenant_a.users["admin"],
                      plan=[(books["today"] - timedelta(days=3), "1234.50")])
    rep = tenant_client(tenant_a, tenant_a.users["rep"])
    page = rep.get(f"/crm/accounts/{books['mine'].pk}/").content.decode()
    assert 'id="account-receivables"' in page
    assert f"/crm/receivables/orders/{books['order'].pk}/" in page
    assert "1,234.50" in page
    agent = tenant_client(tenant_a, tenant_a.users["agent"])
    assert 'id="account-receivables"' not in agent.get(
        f"/crm/accounts/{books['mine'].pk}/").content.decode()
