"""A small sales world in tenant A: an East team (manager + rep), a South team whose manager
is the admin (rep2), a rep's account with a contact and an opportunity, and two products
priced by the standard book."""

from decimal import Decimal

import pytest

from crm.catalog.models import PriceBookKind
from tests.crm.accounts.factories import make_account, make_contact
from tests.crm.catalog.factories import make_book, make_product
from tests.crm.core.factories import make_team

D = Decimal


@pytest.fixture
def world(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        east = make_team("East quotes", managers=[users["manager"]], members=[users["rep"]])
        south = make_team("South quotes", managers=[users["admin"]], members=[users["rep2"]])
        account = make_account(owner=users["rep"], name="Quote Customer Ltd")
        contact = make_contact(account=account, last_name="Buyer", email="buyer@example.com")
        other_account = make_account(owner=users["rep2"], name="Other Rep Customer")
        sensor = make_product(actor=users["admin"], sku="Q-S200", name="工业传感器 S200",
                              currency="CNY", list_price=D("1280.00"), tax_rate=D(13))
        service = make_product(actor=users["admin"], sku="Q-SVC", name="Installation",
                               currency="CNY", list_price=D("800.00"), tax_rate=D(6))
        book = make_book(actor=users["admin"], kind=PriceBookKind.STANDARD, currency="CNY",
                         prices={sensor: {1: "1200.00", 100: "1100.00"}, service: "800.00"})
        yield {**users, "east": east, "south": south, "account": account,
               "contact": contact, "other_account": other_account, "sensor": sensor,
               "service": service, "book": book}


@pytest.fixture
def client_for(tenant_a, tenant_client):
    """A logged-in client (on ``tenant``'s host, tenant A by default) that leaves the test in
    tenant A's schema (tenant_client switches to public when it logs in)."""
    from django.db import connection

    def make(user, tenant=None):
        client = tenant_client(tenant or tenant_a, user)
        connection.set_tenant(tenant_a.tenant)
        return client

    return make
