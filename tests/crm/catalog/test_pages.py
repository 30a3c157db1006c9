"""Catalog pages under /crm/catalog/: who reads, who edits, the shared filters, the price
check form, and the query budget of the product list."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from crm.accounts.models import AccountTier
from crm.catalog.models import PriceBook, PriceBookKind, Product
from tests.crm.accounts.factories import make_account
from tests.crm.catalog.factories import make_book, make_product

D = Decimal


@pytest.fixture
def catalog(tenant_a, in_tenant):
    admin = tenant_a.users["admin"]
    with in_tenant(tenant_a):
        sensor = make_product(actor=admin, sku="S200", name="工业传感器 S200",
                              family="Sensors", list_price=D("1280.00"), currency="CNY")
        cable = make_product(actor=admin, sku="CBL-5", name="Cable 5 m", family="Accessories",
                             list_price=D("45.00"), currency="CNY", active=False)
        book = make_book(actor=admin, kind=PriceBookKind.GROUP, group_tier=AccountTier.KEY,
                         currency="CNY", prices={sensor: {1: "1150", 50: "1088"}})
        key_account = make_account(owner=tenant_a.users["rep"], name="Key Customer",
                                   tier=AccountTier.KEY)
        hidden = make_account(owner=tenant_a.users["rep2"], name="Hidden Customer",
                              tier=AccountTier.KEY)
    return {"sensor": sensor, "cable": cable, "book": book, "key": key_account,
            "hidden": hidden}


def _png() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")


def test_the_product_list_filters_with_the_shared_filterset(tenant_a, tenant_client,
                                                            catalog):
    client = tenant_client(tenant_a, tenant_a.users["readonly"])
    page = client.get("/crm/catalog/").content.decode()
    assert "工业传感器 S200" in page
    assert "Cable 5 m" in page
    assert "1,280.00" in page  # the money filter, not the raw "1280.0000"
    assert "1280.0000" not in page
    active = client.get("/crm/catalog/?active=true").content.decode()
    assert "S200" in active
    assert "Cable 5 m" not in active
    family = client.get("/crm/catalog/?family=accessories").content.decode()
    assert "Cable 5 m" in family
    assert "工业传感器" not in family
    search = client.get("/crm/catalog/?q=传感器").content.decode()
    assert "S200" in search
    assert "Cable 5 m" not in search
    assert client.get("/crm/catalog/?active=maybe").status_code == 200


def test_the_product_list_keeps_a_query_budget(tenant_a, tenant_client, in_tenant,
                                               django_assert_max_num_queries):
    admin = tenant_a.users["admin"]
    with in_tenant(tenant_a):
        for _ in range(40):
            make_product(actor=admin, family="Bulk")
    client = tenant_client(tenant_a, admin)
    client.get("/crm/catalog/")
    with django_assert_max_num_queries(14):
        response = client.get("/crm/catalog/?family=bulk")
    assert response.content.decode().count("/crm/catalog/products/") >= 40


def test_everyone_reads_and_only_editors_change_products(tenant_a, tenant_client, catalog):
    sensor = catalog["sensor"]
    for role in ("readonly", "agent", "rep"):
        client = tenant_client(tenant_a, tenant_a.users[role])
        assert client.get(f"/crm/catalog/products/{sensor.pk}/").status_code == 200
    readonly = tenant_client(tenant_a, tenant_a.users["readonly"])
    assert readonly.get(f"/crm/catalog/products/{sensor.pk}/edit/").status_code == 403
    assert readonly.post("/crm/catalog/products/new/", {}).status_code == 403


def test_a_rep_edits_a_product_with_an_image(tenant_a, tenant_client, in_tenant, catalog):
    sensor = catalog["sensor"]
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    response = client.post(f"/crm/catalog/products/{sensor.pk}/edit/", {
        "sku": "S200", "name": "工业传感器 S200 新版", "unit": "个", "list_price": "1300",
        "currency": "CNY", "tax_rate": "13", "active": "on", "image": _png()})
    assert response.status_code == 302, response.content.decode()[:2000]
    with in_tenant(tenant_a):
        sensor.refresh_from_db()
        assert (sensor.name, sensor.list_price) == ("工业传感器 S200 新版", D("1300"))
        assert sensor.image.name.startswith("catalog/products/")


def test_a_fake_image_and_a_duplicate_sku_are_form_errors(tenant_a, tenant_client,
                                                          catalog):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    fake = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client.post("/crm/catalog/products/new/", {
        "sku": "NEW-1", "name": "New", "unit": "pcs", "list_price": "1", "currency": "CNY",
        "tax_rate": "0", "image": fake})
    assert response.status_code == 200
    assert "image" in response.context["form"].errors
    response = client.post("/crm/catalog/products/new/", {
        "sku": "s200", "name": "Dup", "unit": "pcs", "list_price": "1", "currency": "CNY",
        "tax_rate": "0"})
    assert response.status_code == 200
    assert "sku" in response.context["form"].errors


def test_a_rep_reads_price_books_but_cannot_change_them(tenant_a, tenant_client, catalog):
    book = catalog["book"]
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    assert client.get("/crm/catalog/price-books/").status_code == 200
    detail = client.get(f"/crm/catalog/price-books/{book.pk}/")
    assert detail.status_code == 200
    assert "entries/" not in detail.content.decode()  # no add/remove forms
    assert client.get("/crm/catalog/price-books/new/").status_code == 403
    assert client.get(f"/crm/catalog/price-books/{book.pk}/edit/").status_code == 403
    assert client.post(f"/crm/catalog/price-books/{book.pk}/entries/", {
        "product": catalog["sensor"].pk, "unit_price": "1", "min_quantity": "1"}
    ).status_code == 403


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_edit_price_books_and_tiers(tenant_a, tenant_client, in_tenant,
                                                        catalog, role):
    client = tenant_client(tenant_a, tenant_a.users[role])
    response = client.post("/crm/catalog/price-books/new/", {
        "name": f"Tag book {role}", "kind": "group", "group_tag": "vip", "currency": "CNY",
        "valid_from": "2026-01-01", "active": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    with in_tenant(tenant_a):
        book = PriceBook.objects.get(name=f"Tag book {role}")
    response = client.post(f"/crm/catalog/price-books/{book.pk}/entries/", {
        "product": catalog["sensor"].pk, "unit_price": "999", "min_quantity": "10"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        entry = book.entries.get()
        assert (entry.unit_price, entry.min_quantity) == (D("999"), D("10"))
    response = client.post(f"/crm/catalog/price-books/{book.pk}/entries/{entry.pk}/remove/")
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert not book.entries.exists()


def test_a_second_standard_book_is_a_form_error(tenant_a, tenant_client, in_tenant,
                                                catalog):
    with in_tenant(tenant_a):
        make_book(actor=tenant_a.users["admin"], kind=PriceBookKind.STANDARD)
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.post("/crm/catalog/price-books/new/", {
        "name": "Another standard", "kind": "standard", "currency": "CNY",
        "valid_from": "2026-01-01"})
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors


def test_the_price_check_answers_for_a_visible_account(tenant_a, tenant_client, catalog):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    page = client.get("/crm/catalog/price-check/", {
        "account": catalog["key"].pk, "product": catalog["sensor"].pk, "quantity": "50",
        "on": "2026-06-01"}).content.decode()
    assert 'id="price-answer"' in page
    assert "1,088.00" in page
    assert catalog["book"].name in page
    hidden = client.get("/crm/catalog/price-check/", {
        "account": catalog["hidden"].pk, "product": catalog["sensor"].pk, "quantity": "1"})
    assert hidden.status_code == 200
    assert "account" in hidden.context["form"].errors
    bad = client.get("/crm/catalog/price-check/", {"product": "x", "quantity": "-1"})
    assert bad.status_code == 200
    assert {"product", "quantity"} <= set(bad.context["form"].errors)


def test_the_navigation_shows_the_catalog(tenant_a, tenant_client):
    page = tenant_client(tenant_a, tenant_a.users["rep"]).get("/crm/").content.decode()
    assert "/crm/catalog/" in page


def test_product_sku_is_unique_in_any_case_in_the_database(tenant_a, in_tenant):
    from django.db import IntegrityError, transaction

    with in_tenant(tenant_a):
        Product.objects.create(sku="ABC", name="a", list_price=1, currency="USD")
        with pytest.raises(IntegrityError), transaction.atomic():
            Product.objects.create(sku="abc", name="b", list_price=1, currency="USD")
