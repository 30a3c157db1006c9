"""The product catalog pages: the CRM's active products on the public site, list prices only
where the tenant makes them public, a member's own account price from the pricing service,
links to the quote builder and to the inquiry form with the product filled in; in the
default tree in the tenant's language; a fixed number of queries; nothing of another
tenant."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from cms.models import HomePage, InquiryPage, KnowledgeBaseIndexPage, ProductCatalogPage
from cms.provisioning import _add, create_default_tree
from crm.accounts.models import Account, Contact
from crm.catalog.models import PriceBook, PriceBookEntry, PriceBookKind, Product
from portal.models import MemberRole, PortalSettings
from tenants.provisioning.registry import ProvisioningContext
from tests.portal.conftest import make_member

CATALOG = "/products/"


def _product(sku: str, name: str, price: str, *, family: str = "Sensors",
             active: bool = True) -> Product:
    return Product.objects.create(sku=sku, name=name, family=family, list_price=Decimal(price),
                                  currency="USD", active=active,
                                  description=f"{name} for harsh sites.")


def _account_price(account: Account, product: Product, price: str) -> None:
    book = PriceBook.objects.create(name=f"{account.name} prices", kind=PriceBookKind.ACCOUNT,
                                    account=account, currency="USD",
                                    valid_from=timezone.localdate() - timedelta(days=1))
    PriceBookEntry.objects.create(book=book, product=product, unit_price=Decimal(price))


def _list_prices_public(on: bool) -> None:
    PortalSettings.objects.update_or_create(pk=1, defaults={"list_prices_public": on})


def _member(email: str, account_name: str) -> tuple[Account, object]:
    account = Account.objects.create(name=account_name, name_normalized=account_name.lower())
    contact = Contact.objects.create(account=account, last_name="Member", email=email)
    return account, make_member(email, contact=contact, role=MemberRole.CUSTOMER_ADMIN)


@pytest.fixture
def catalog(tenant_a, in_tenant) -> dict[str, Product]:
    with in_tenant(tenant_a):
        products = {
            "sensor": _product("CAT-S1", "Catalog Sensor", "777.25"),
            "gateway": _product("CAT-G1", "Catalog Gateway", "1999.50", family="Gateways"),
            "old": _product("CAT-OLD", "Retired Sensor", "55.00", active=False),
        }
    connection.set_schema_to_public()
    return products


def test_provisioning_puts_the_catalog_page_in_the_default_tree(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        home = HomePage.objects.get()
        page = ProductCatalogPage.objects.child_of(home).get()
        assert (page.title, page.slug, page.live, page.show_in_menus) == (
            "Products", "products", True, True)
        menu = list(home.get_children().live().in_menu().values_list("slug", flat=True))
        assert menu.index("knowledge-base") < menu.index("products") < menu.index("contact")


def test_a_chinese_tenant_gets_the_catalog_page_in_chinese_once(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        for page in [*KnowledgeBaseIndexPage.objects.all(), *InquiryPage.objects.all(),
                     *ProductCatalogPage.objects.all()]:
            page.delete()
        tenant = connection.tenant
        tenant.language = "zh-hans"
        create_default_tree(ProvisioningContext(tenant=tenant))
        create_default_tree(ProvisioningContext(tenant=tenant))
        tenant.language = "en"
        page = ProductCatalogPage.objects.get()
        assert page.title == "产品目录"
        assert "专属价格" in page.intro


def test_visitors_see_active_products_but_no_price_while_list_prices_are_private(
    tenant_a, in_tenant, tenant_client, catalog
):
    with in_tenant(tenant_a):
        _list_prices_public(False)
    html = tenant_client(tenant_a).get(CATALOG).content.decode()
    assert "Catalog Sensor" in html
    assert "Catalog Gateway" in html
    assert "Retired Sensor" not in html
    assert "777.25" not in html
    assert 'id="catalog-price-note"' in html
    detail = tenant_client(tenant_a).get(f"{CATALOG}{catalog['sensor'].pk}/")
    assert detail.status_code == 200
    assert "777.25" not in detail.content.decode()


def test_visitors_see_list_prices_where_the_tenant_makes_them_public(
    tenant_a, in_tenant, tenant_client, catalog
):
    with in_tenant(tenant_a):
        _list_prices_public(True)
    html = tenant_client(tenant_a).get(CATALOG).content.decode()
    assert "777.25" in html
    assert "List price" in html
    assert 'id="catalog-price-note"' not in html


def test_a_member_sees_their_accounts_price_and_never_another_accounts(
    tenant_a, in_tenant, tenant_client, catalog
):
    with in_tenant(tenant_a):
        _list_prices_public(False)
        mine, member = _member("cat-buyer@hoth.test", "Catalog Buyer Co")
        other, _other_member = _member("cat-other@hoth.test", "Catalog Other Co")
        _account_price(mine, catalog["sensor"], "611.10")
        _account_price(other, catalog["sensor"], "499.99")
    client = tenant_client(tenant_a, member)
    html = client.get(CATALOG).content.decode()
    assert "611.10" in html
    assert "Your price" in html
    assert "499.99" not in html
    assert "777.25" not in html
    # No book for the gateway: the pricing service answers with its list price.
    assert "1,999.50" in html or "1999.50" in html
    detail = client.get(f"{CATALOG}{catalog['sensor'].pk}/").content.decode()
    assert "611.10" in detail
    assert "499.99" not in detail


def test_staff_on_the_public_site_are_visitors_for_prices(tenant_a, in_tenant, tenant_client,
                                                          catalog):
    with in_tenant(tenant_a):
        _list_prices_public(False)
    html = tenant_client(tenant_a, tenant_a.users["admin"]).get(CATALOG).content.decode()
    assert "Catalog Sensor" in html
    assert "777.25" not in html


def test_the_detail_links_members_to_the_quote_builder_and_everyone_to_the_inquiry(
    tenant_a, in_tenant, tenant_client, catalog
):
    sensor = catalog["sensor"]
    with in_tenant(tenant_a):
        _account, member = _member("cat-quoter@hoth.test", "Catalog Quoter Co")
    interest = quote(str(sensor))
    member_html = tenant_client(tenant_a, member).get(f"{CATALOG}{sensor.pk}/").content.decode()
    assert f'href="/portal/quotes/new/?product={sensor.pk}"' in member_html
    assert f'href="/contact/?product={interest}"' in member_html
    visitor_html = tenant_client(tenant_a).get(f"{CATALOG}{sensor.pk}/").content.decode()
    assert "/portal/quotes/new/" not in visitor_html
    assert f'href="/contact/?product={interest}"' in visitor_html
    form = tenant_client(tenant_a).get(f"/contact/?product={interest}").content.decode()
    assert f'value="{sensor.sku} · {sensor.name}"' in form


def test_missing_inactive_and_garbage_products_answer_404(tenant_a, tenant_client, catalog):
    client = tenant_client(tenant_a)
    for path in (f"{CATALOG}{catalog['old'].pk}/", f"{CATALOG}999999999/",
                 f"{CATALOG}not-a-number/"):
        assert client.get(path).status_code == 404, path


def test_search_and_family_filter_narrow_the_list(tenant_a, tenant_client, catalog):
    client = tenant_client(tenant_a)
    by_family = client.get(CATALOG, {"family": "Gateways"}).content.decode()
    assert "Catalog Gateway" in by_family
    assert "Catalog Sensor" not in by_family
    by_search = client.get(CATALOG, {"q": "cat-s1"}).content.decode()
    assert "Catalog Sensor" in by_search
    assert "Catalog Gateway" not in by_search
    unknown_family = client.get(CATALOG, {"family": "<script>"}).content.decode()
    assert "Catalog Sensor" in unknown_family
    assert "Catalog Gateway" in unknown_family


def test_a_catalog_page_for_one_family_shows_and_serves_only_that_family(
    tenant_a, in_tenant, tenant_client, catalog
):
    with in_tenant(tenant_a):
        _add(HomePage.objects.get(), ProductCatalogPage(title="Gateways", slug="gateways",
                                                        family="Gateways"))
    client = tenant_client(tenant_a)
    html = client.get("/gateways/").content.decode()
    assert "Catalog Gateway" in html
    assert "Catalog Sensor" not in html
    assert client.get(f"/gateways/{catalog['gateway'].pk}/").status_code == 200
    assert client.get(f"/gateways/{catalog['sensor'].pk}/").status_code == 404


# A visitor: Wagtail's routing, branding and menu, the portal settings, the products (count
# and page), their families, the contact page. A member adds the session, the user, the
# memberships and their scope, and the pricing service's two queries.
@pytest.mark.parametrize(("as_member", "budget"), [(False, 20), (True, 26)])
def test_the_catalog_list_costs_the_same_queries_for_3_or_30_products(
    tenant_a, in_tenant, tenant_client, django_assert_max_num_queries, as_member, budget
):
    with in_tenant(tenant_a):
        _list_prices_public(True)
        head = Account.objects.create(name="Budget Head", name_normalized="budget head")
        branch = Account.objects.create(name="Budget Branch", name_normalized="budget branch",
                                        parent=head)
        contact = Contact.objects.create(account=branch, last_name="Budget",
                                         email="budget@hoth.test")
        member = make_member("budget@hoth.test", contact=contact)
        products = [_product(f"BUD-{index}", f"Budget Product {index}", "10.00")
                    for index in range(3)]
        _account_price(head, products[0], "8.00")  # inherited by the branch
    client = tenant_client(tenant_a, member if as_member else None)
    client.get(CATALOG)  # warm Wagtail's per-process caches
    with django_assert_max_num_queries(budget) as few:
        assert client.get(CATALOG).status_code == 200
    with in_tenant(tenant_a):
        for index in range(3, 30):
            _product(f"BUD-{index}", f"Budget Product {index}", "10.00")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(CATALOG)
    assert response.status_code == 200
    assert response.content.decode().count('class="card portal-catalog-product"') == 24


def test_another_tenants_products_are_never_listed_or_served(
    tenant_a, tenant_b, in_tenant, tenant_client, catalog
):
    with in_tenant(tenant_b):
        theirs = _product("BETA-ONLY", "Beta Only Sensor", "12.00")
    assert theirs.pk > catalog["old"].pk  # ids of tenant B start far above tenant A's
    client = tenant_client(tenant_a)
    assert "Beta Only Sensor" not in client.get(CATALOG).content.decode()
    assert client.get(f"{CATALOG}{theirs.pk}/").status_code == 404
    assert "Catalog Sensor" not in tenant_client(tenant_b).get(CATALOG).content.decode()
    assert tenant_client(tenant_b).get(f"{CATALOG}{catalog['sensor'].pk}/").status_code == 404


def test_the_editors_preview_shows_the_product_list(tenant_a, in_tenant, catalog):
    from django.test import RequestFactory

    with in_tenant(tenant_a):
        page = ProductCatalogPage.objects.get(slug="products")
        request = RequestFactory().get("/products/", HTTP_HOST=tenant_a.host)
        request.user = tenant_a.users["admin"]
        request.session = {}
        response = page.serve_preview(request, "")
        response.render()
        assert "Catalog Sensor" in response.content.decode()
