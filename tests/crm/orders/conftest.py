"""The orders world: the default chain (the sales manager reviews; finance, the admins,
re-checks from 500,000), team East (manager with rep) and team West (manager2 with rep2)."""

from decimal import Decimal

import pytest

from tenants.users.models import Role, User, UserKind
from tests.crm.accounts.factories import make_account
from tests.crm.catalog.factories import make_product
from tests.crm.core.factories import make_team


@pytest.fixture
def world(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        other_manager = User.objects.create_user(
            email="manager2@alpha.test", password="x-Long-enough-9", role=Role.MANAGER,
            kind=UserKind.STAFF, first_name="Other", last_name="Manager")
        make_team("East orders", managers=[users["manager"]], members=[users["rep"]])
        make_team("West orders", managers=[other_manager], members=[users["rep2"]])
        account = make_account(name="Orders Customer Ltd", owner=users["rep"])
        theirs = make_account(name="West Customer Ltd", owner=users["rep2"])
        sensor = make_product(actor=users["admin"], sku="SER-1", name="Sensor",
                              serialized=True, list_price=Decimal("100.00"),
                              tax_rate=Decimal(0))
        cable = make_product(actor=users["admin"], sku="CBL-1", name="Cable",
                             list_price=Decimal("5.00"), tax_rate=Decimal(0))
        yield {**users, "manager2": other_manager, "account": account, "theirs": theirs,
               "sensor": sensor, "cable": cable, "tenant": tenant_a}
