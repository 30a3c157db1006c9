"""/api/v1/quotes/: exact names and money as strings, actions, PDF, isolation across tenants
and reps, the query budget of the list."""

import io
import json
from decimal import Decimal

import pytest
from pypdf import PdfReader

from crm.orders.models import Order
from crm.quotes.models import Quote, QuoteStatus
from tests.crm.quotes.factories import make_quote

API = "/api/v1/quotes"
D = Decimal
QUOTE_FIELDS = {"id", "number", "revision", "status", "subtotal", "tax_total", "total",
                "lines", "account", "currency", "valid_until"}


def _post(client, path, body=None):
    return client.post(path, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def rep_api(world, client_for):
    return client_for(world["rep"])


def test_create_answers_the_exact_names_with_money_as_strings(world, rep_api):
    body = {"account": world["account"].pk, "contact": world["contact"].pk,
            "lines": [{"product": world["sensor"].pk, "quantity": "2.5",
                       "discount_percent": "5"},
                      {"description": "Freight", "quantity": "1", "unit_price": "99.9",
                       "tax_rate": "0"}]}
    response = _post(rep_api, f"{API}/", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) >= QUOTE_FIELDS
    assert (data["revision"], data["status"], data["currency"]) == (1, "draft", "CNY")
    # 2.5 x 1200 x 0.95 = 2850.00, tax 13 % = 370.50; freight 99.90, no tax
    assert [(ln["line_net"], ln["line_tax"]) for ln in data["lines"]] == [
        ("2850.00", "370.50"), ("99.90", "0.00")]
    assert (data["subtotal"], data["tax_total"], data["total"]) == (
        "2949.90", "370.50", "3320.40")
    assert data["lines"][0]["unit_price"] == "1200.00"
    assert data["lines"][1]["price_overridden"] is False
    detail = rep_api.get(f"{API}/{data['id']}/").json()
    assert detail["total"] == "3320.40"


@pytest.mark.parametrize(("line", "field"), [
    ({"product": None, "quantity": "-1", "description": "x", "unit_price": "1"}, "quantity"),
    ({"description": "x", "quantity": "1", "unit_price": "1",
      "discount_percent": "101"}, "discount_percent"),
    ({"quantity": "1"}, "description"),
])
def test_bad_lines_are_400_with_the_field_named(world, rep_api, line, field):
    response = _post(rep_api, f"{API}/", {"account": world["account"].pk, "lines": [line]})
    assert response.status_code == 400
    assert field in json.dumps(response.json())


def test_the_whole_flow_through_the_actions(world, tenant_a, client_for, rep_api):
    created = _post(rep_api, f"{API}/", {"account": world["account"].pk, "lines": [
        {"product": world["sensor"].pk, "quantity": "1", "discount_percent": "20"}]}).json()
    quote_id = created["id"]
    submitted = _post(rep_api, f"{API}/{quote_id}/submit/")
    assert submitted.json()["status"] == "pending_approval"
    assert _post(rep_api, f"{API}/{quote_id}/approve/").status_code == 403  # own request
    manager = client_for(world["manager"])
    assert _post(manager, f"{API}/{quote_id}/reject/", {}).status_code == 400  # no comment
    rejected = _post(manager, f"{API}/{quote_id}/reject/", {"comment": "Too low"})
    assert rejected.json()["status"] == "draft"
    assert _post(rep_api, f"{API}/{quote_id}/submit/").json()["status"] == "pending_approval"
    assert _post(manager, f"{API}/{quote_id}/approve/", {"comment": "Fine"}).json()[
        "status"] == "approved"
    assert _post(rep_api, f"{API}/{quote_id}/accept/").status_code == 400  # not sent yet
    assert _post(rep_api, f"{API}/{quote_id}/send/").json()["status"] == "sent"
    revised = _post(rep_api, f"{API}/{quote_id}/revise/")
    assert revised.status_code == 201
    new = revised.json()
    assert (new["number"], new["revision"], new["status"]) == (created["number"], 2, "draft")
    assert rep_api.get(f"{API}/{quote_id}/").json()["status"] == "superseded"
    assert _post(rep_api, f"{API}/{new['id']}/submit/").json()["status"] == "pending_approval"
    _post(manager, f"{API}/{new['id']}/approve/")
    _post(rep_api, f"{API}/{new['id']}/send/")
    accepted = _post(rep_api, f"{API}/{new['id']}/accept/", {"name": "Li Wei"})
    assert accepted.status_code == 200, accepted.content
    order = Order.objects.get(pk=accepted.json()["order"])
    assert order.quote_id == new["id"]
    quote = Quote.objects.get(pk=new["id"])
    assert (quote.status, quote.accepted_by_name, quote.accepted_ip) == (
        QuoteStatus.ACCEPTED, "Li Wei", "127.0.0.1")


def test_patch_of_a_sent_quote_answers_the_new_revision(world, rep_api):
    quote = make_quote(world)
    _post(rep_api, f"{API}/{quote.pk}/submit/")
    _post(rep_api, f"{API}/{quote.pk}/send/")
    response = rep_api.patch(f"{API}/{quote.pk}/", data=json.dumps({"lines": [
        {"product": world["service"].pk, "quantity": "3"}]}), content_type="application/json")
    assert response.status_code == 200, response.content
    assert (response.json()["revision"], response.json()["total"]) == (2, "2544.00")


def test_the_pdf_endpoint_answers_a_pdf(world, rep_api):
    quote = make_quote(world)
    response = rep_api.get(f"{API}/{quote.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert quote.number in text


def test_another_reps_quote_is_404_everywhere(world, tenant_a, client_for):
    theirs = make_quote(world)  # the rep's
    other = client_for(world["rep2"])
    assert other.get(f"{API}/{theirs.pk}/").status_code == 404
    assert other.get(f"{API}/{theirs.pk}/pdf/").status_code == 404
    assert _post(other, f"{API}/{theirs.pk}/submit/").status_code == 404
    assert theirs.pk not in [q["id"] for q in other.get(f"{API}/").json()["results"]]
    manager = client_for(world["manager"])  # East's manager sees the rep's
    assert manager.get(f"{API}/{theirs.pk}/").status_code == 200
    assert client_for(world["agent"]).get(f"{API}/{theirs.pk}/").status_code == 404


def test_another_tenants_quote_is_404(world, tenant_b, client_for):
    from tests.conftest import SECOND_TENANT_ID_OFFSET

    quote = make_quote(world)
    assert quote.pk < SECOND_TENANT_ID_OFFSET
    beta = client_for(tenant_b.users["admin"], tenant_b)
    assert beta.get(f"{API}/{quote.pk}/").status_code == 404
    assert beta.get(f"{API}/{quote.pk}/pdf/").status_code == 404
    assert _post(beta, f"{API}/{quote.pk}/accept/").status_code == 404


def test_filters_and_the_list_query_budget(world, rep_api, django_assert_max_num_queries):
    for _ in range(5):
        make_quote(world)
    sent = make_quote(world)
    _post(rep_api, f"{API}/{sent.pk}/submit/")
    assert [q["id"] for q in rep_api.get(f"{API}/?status=approved").json()["results"]] == [
        sent.pk]
    assert rep_api.get(f"{API}/?status=bogus").status_code == 400
    with django_assert_max_num_queries(12):
        response = rep_api.get(f"{API}/")
    assert len(response.json()["results"]) == 6
