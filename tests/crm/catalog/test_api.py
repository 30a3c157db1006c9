"""/api/v1/products/, /api/v1/price-books/ and /api/v1/prices/: exact names for
integrators, idempotent upsert, the pricing answer, roles, isolation, query budgets."""

import json
from datetime import date
from decimal import Decimal

import pytest

from crm.accounts.models import AccountTier
from crm.catalog.models import PriceBook, PriceBookKind, Product
from tests.crm.accounts.factories import make_account
from tests.crm.catalog.factories import make_book, make_product

API = "/api/v1"
D = Decimal
PRODUCT_FIELDS = {"id", "sku", "name", "description", "family", "unit", "list_price",
                  "currency", "tax_rate", "active", "serialized", "external_id"}


def _put(client, path, body):
    return client.put(path, data=json.dumps(body), content_type="application/json")


def _post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def catalog(tenant_a, in_tenant):
    admin = tenant_a.users["admin"]
    with in_tenant(tenant_a):
        product = make_product(actor=admin, sku="S200", name="工业传感器 S200",
                               list_price=D("1234.5"), currency="CNY", family="Sensors")
        standard = make_book(actor=admin, kind=PriceBookKind.STANDARD, currency="CNY",
                             prices={product: {1: "1200", 10: "1100.25"}})
        mine = make_account(owner=tenant_a.users["rep"], name="Rep Customer",
                            tier=AccountTier.KEY)
        theirs = make_account(owner=tenant_a.users["rep2"], name="Rep2 Customer")
        own_book = make_book(actor=admin, kind=PriceBookKind.ACCOUNT, account=mine,
                             currency="CNY", prices={product: "999.90"})
    return {"product": product, "standard": standard, "mine": mine, "theirs": theirs,
            "own_book": own_book}


def test_products_answer_the_exact_fields_with_money_as_strings(tenant_a, tenant_client,
                                                                catalog):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    response = client.get(f"{API}/products/")
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert set(row) == PRODUCT_FIELDS
    assert row["list_price"] == "1234.50"
    assert row["tax_rate"] == "13"
    assert row["name"] == "工业传感器 S200"
    detail = client.get(f"{API}/products/{catalog['product'].pk}/").json()
    assert detail == row


def test_product_filters_are_the_shared_filterset(tenant_a, tenant_client, in_tenant,
                                                  catalog):
    with in_tenant(tenant_a):
        make_product(actor=tenant_a.users["admin"], sku="OLD-1", family="Sensors",
                     active=False)
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    skus = {r["sku"] for r in client.get(f"{API}/products/?family=sensors&active=true")
            .json()["results"]}
    assert skus == {"S200"}
    assert {r["sku"] for r in client.get(f"{API}/products/?q=old").json()["results"]} == {
        "OLD-1"}
    # a value that is not a boolean is ignored (django-filter's BooleanFilter), never a 500
    ignored = client.get(f"{API}/products/?active=maybe")
    assert {r["sku"] for r in ignored.json()["results"]} == {"S200", "OLD-1"}


def test_a_rep_creates_a_product_and_a_read_only_user_cannot(tenant_a, tenant_client):
    body = {"sku": "NEW-1", "name": "New", "list_price": "10.5", "currency": "usd",
            "tax_rate": "7.5"}
    rep = tenant_client(tenant_a, tenant_a.users["rep"])
    response = _post(rep, f"{API}/products/", body)
    assert response.status_code == 201, response.content
    assert (response.json()["currency"], response.json()["list_price"]) == ("USD", "10.50")
    readonly = tenant_client(tenant_a, tenant_a.users["readonly"])
    assert _post(readonly, f"{API}/products/", {**body, "sku": "NEW-2"}).status_code == 403


@pytest.mark.parametrize(("body", "field"), [
    ({"sku": "s200"}, "sku"),  # unique in any case
    ({"currency": "ZZZ"}, "currency"),
    ({"currency": "JPY", "list_price": "10.5"}, "list_price"),  # JPY has no decimals
    ({"list_price": "-1"}, "list_price"),
    ({"tax_rate": "120"}, "tax_rate"),
])
def test_bad_products_are_field_errors(tenant_a, tenant_client, catalog, body, field):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = _post(client, f"{API}/products/", {"sku": "X-1", "name": "X",
                                                  "list_price": "1", "currency": "USD",
                                                  **body})
    assert response.status_code == 400
    assert field in response.json()


def test_upsert_by_external_id_creates_then_is_idempotent(tenant_a, tenant_client,
                                                          in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    body = {"sku": "ERP-7", "name": "ERP product", "list_price": "20.00",
            "currency": "EUR", "unit": "box"}
    first = _put(client, f"{API}/products/external/erp-7/", body)
    assert first.status_code == 201, first.content
    assert first.json()["external_id"] == "erp-7"
    with in_tenant(tenant_a):
        stamp = Product.objects.get(external_id="erp-7").updated_at
    again = _put(client, f"{API}/products/external/erp-7/", body)
    assert again.status_code == 200
    assert again.json() == first.json()
    with in_tenant(tenant_a):
        assert Product.objects.filter(external_id="erp-7").count() == 1
        assert Product.objects.get(external_id="erp-7").updated_at == stamp
    changed = _put(client, f"{API}/products/external/erp-7/", {"list_price": "25"})
    assert (changed.status_code, changed.json()["list_price"]) == (200, "25.00")
    bad = _put(client, f"{API}/products/external/erp-8/", {"name": "no sku"})
    assert bad.status_code == 400


def test_price_books_nest_entries_and_a_rep_only_reads(tenant_a, tenant_client, catalog):
    rep = tenant_client(tenant_a, tenant_a.users["rep"])
    response = rep.get(f"{API}/price-books/{catalog['standard'].pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["account"] is None
    assert [{k: e[k] for k in ("product", "unit_price", "min_quantity")}
            for e in body["entries"]] == [
        {"product": catalog["product"].pk, "unit_price": "1200.00", "min_quantity": "1"},
        {"product": catalog["product"].pk, "unit_price": "1100.25", "min_quantity": "10"}]
    own = rep.get(f"{API}/price-books/{catalog['own_book'].pk}/").json()
    assert own["account"] == catalog["mine"].pk
    new = {"name": "Rep book", "kind": "group", "group_tier": "b", "currency": "CNY",
           "valid_from": "2026-01-01", "entries": []}
    assert _post(rep, f"{API}/price-books/", new).status_code == 403
    assert _put(rep, f"{API}/price-books/{catalog['standard'].pk}/", new).status_code == 403


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_write_price_books_with_entries(tenant_a, tenant_client,
                                                            catalog, role):
    client = tenant_client(tenant_a, tenant_a.users[role])
    product = catalog["product"].pk
    body = {"name": f"{role} tier B", "kind": "group", "group_tier": "b", "currency": "CNY",
            "valid_from": "2026-01-01", "valid_until": "2026-12-31",
            "entries": [{"product": product, "unit_price": "1000", "min_quantity": "1"},
                        {"product": product, "unit_price": "950.5", "min_quantity": "20"}]}
    created = _post(client, f"{API}/price-books/", body)
    assert created.status_code == 201, created.content
    book_id = created.json()["id"]
    assert [e["unit_price"] for e in created.json()["entries"]] == ["1000.00", "950.50"]
    replaced = _put(client, f"{API}/price-books/{book_id}/", {
        **body, "entries": [{"product": product, "unit_price": "900"}]})
    assert replaced.status_code == 200, replaced.content
    assert [(e["unit_price"], e["min_quantity"]) for e in replaced.json()["entries"]] == [
        ("900.00", "1")]


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "standard"}, "kind"),  # there is one already
    ({"kind": "group", "group_tag": ""}, "group_tier"),  # neither tier nor tag
    ({"kind": "group", "group_tier": "a"}, "group_tier"),  # both
    ({"kind": "account"}, "account"),
    ({"valid_until": "2025-12-31"}, "valid_until"),
    ({"currency": "JPY", "entries": [{"product": 0, "unit_price": "1"}]}, "entries"),
])
def test_bad_price_books_are_field_errors(tenant_a, tenant_client, catalog, body, field):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = _post(client, f"{API}/price-books/", {
        "name": "Bad", "kind": "group", "group_tag": "x", "currency": "CNY",
        "valid_from": "2026-01-01", **body})
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_a_sub_minor_unit_entry_price_is_refused(tenant_a, tenant_client, catalog):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = _post(client, f"{API}/price-books/", {
        "name": "Yen", "kind": "group", "group_tag": "jp", "currency": "JPY",
        "valid_from": "2026-01-01",
        "entries": [{"product": catalog["product"].pk, "unit_price": "10.5"}]})
    assert response.status_code == 400
    assert "unit_price" in response.json()


def test_prices_answer_the_pricing_service(tenant_a, tenant_client, catalog):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    product = catalog["product"].pk
    answer = client.get(f"{API}/prices/?product={product}&quantity=10&date=2026-06-01")
    assert answer.status_code == 200
    body = answer.json()
    assert {"unit_price", "currency", "price_book", "source"} <= set(body)
    assert (body["unit_price"], body["currency"], body["source"]) == ("1100.25", "CNY",
                                                                      "standard")
    assert body["price_book"] == {"id": catalog["standard"].pk, "name":
                                  catalog["standard"].name}
    mine = client.get(f"{API}/prices/?product={product}&account={catalog['mine'].pk}"
                      "&quantity=1&date=2026-06-01").json()
    assert (mine["unit_price"], mine["source"]) == ("999.90", "account")


@pytest.mark.parametrize(("query", "status"), [
    ("product=abc", 400), ("", 400), ("product={product}&quantity=-1", 400),
    ("product={product}&quantity=x", 400), ("product={product}&date=2026-13-01", 400),
    ("product=99999999", 404), ("product={product}&account=99999999", 404),
    ("product={product}&account={theirs}", 404),  # rep2's account: not the rep's to price
    ("product=99999999999999999999", 400),
])
def test_bad_or_invisible_price_queries_are_json_4xx(tenant_a, tenant_client, catalog,
                                                     query, status):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    query = query.format(product=catalog["product"].pk, theirs=catalog["theirs"].pk)
    response = client.get(f"{API}/prices/?{query}")
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")


def test_an_admin_may_price_any_account(tenant_a, tenant_client, catalog):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.get(f"{API}/prices/?product={catalog['product'].pk}"
                          f"&account={catalog['theirs'].pk}")
    assert response.status_code == 200


def test_another_tenants_catalog_ids_are_404(tenant_a, tenant_b, tenant_client, in_tenant):
    with in_tenant(tenant_b):
        admin_b = tenant_b.users["admin"]
        theirs = make_product(actor=admin_b, sku="B-ONLY")
        book = make_book(actor=admin_b, kind=PriceBookKind.GROUP, group_tag="b",
                         prices={theirs: "1.00"})
        account = make_account(name="Beta Customer")
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    assert client.get(f"{API}/products/{theirs.pk}/").status_code == 404
    assert client.get(f"{API}/price-books/{book.pk}/").status_code == 404
    assert client.get(f"{API}/prices/?product={theirs.pk}").status_code == 404
    with in_tenant(tenant_a):
        mine = make_product(actor=tenant_a.users["admin"])
    assert client.get(f"{API}/prices/?product={mine.pk}&account={account.pk}"
                      ).status_code == 404
    for path in (f"/crm/catalog/products/{theirs.pk}/", f"/crm/catalog/price-books/{book.pk}/",
                 f"/crm/catalog/products/{theirs.pk}/edit/",
                 f"/crm/catalog/price-books/{book.pk}/edit/"):
        assert client.get(path).status_code == 404
    assert _put(client, f"{API}/products/{theirs.pk}/", {"name": "x"}).status_code == 404


def test_the_product_and_price_book_lists_keep_a_query_budget(
        tenant_a, tenant_client, in_tenant, django_assert_max_num_queries):
    admin = tenant_a.users["admin"]
    with in_tenant(tenant_a):
        products = [make_product(actor=admin) for _ in range(30)]
        for index in range(5):
            make_book(actor=admin, kind=PriceBookKind.GROUP, group_tag=f"t{index}",
                      prices=dict.fromkeys(products[:10], "50.00"))
    client = tenant_client(tenant_a, admin)
    client.get(f"{API}/products/")  # warm the session and caches
    with django_assert_max_num_queries(8):
        assert client.get(f"{API}/products/").status_code == 200
    with django_assert_max_num_queries(9):
        response = client.get(f"{API}/price-books/")
    assert len(response.json()["results"]) == 5
    assert {len(b["entries"]) for b in response.json()["results"]} == {10}


def test_price_books_outside_their_dates_are_listed_but_unused(tenant_a, tenant_client,
                                                               in_tenant, catalog):
    with in_tenant(tenant_a):
        make_book(actor=tenant_a.users["admin"], kind=PriceBookKind.ACCOUNT,
                  account=catalog["mine"], currency="CNY", valid_from=date(2027, 1, 1),
                  prices={catalog["product"]: "1.00"})
        assert PriceBook.objects.filter(account=catalog["mine"]).count() == 2
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    body = client.get(f"{API}/prices/?product={catalog['product'].pk}"
                      f"&account={catalog['mine'].pk}&date=2026-06-01").json()
    assert body["unit_price"] == "999.90"
