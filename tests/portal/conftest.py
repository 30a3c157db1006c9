"""A customer's account tree in tenant A (and a lone customer in tenant B) with members,
quotes, assets and service requests, for the portal tests.

    Head office H  (customer admin ``boss``; ``buyer`` is a plain member here)
    ├── Branch B1  (member ``eng``, colleague contact ``peer``)
    │   └── Plant B1a
    └── Branch B2  (member ``sib``: the sibling branch)
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from crm.accounts.models import Account, Contact
from crm.quotes.models import Quote, QuoteStatus
from crm.service.models import Asset, ServiceRequest
from portal.models import MemberRole, PortalMembership, PortalSettings
from tenants.security.throttle import _reset_degraded_state
from tenants.users.models import User, UserKind
from tests.conftest import PASSWORD, TenantFixture

_numbers = count(1)


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Sign-in counters live in Redis, outside the test's transaction."""
    caches["throttle"].clear()
    _reset_degraded_state()
    yield
    caches["throttle"].clear()


def make_member(email: str, *, contact: Contact, role: str = MemberRole.MEMBER,
                account: Account | None = None) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=PASSWORD, kind=UserKind.MEMBER,
                                        role="", first_name=email.split("@")[0].title())
    PortalMembership.objects.create(user=user, contact=contact,
                                    account=account or contact.account, role=role)
    return user


def make_quote(account: Account, *, contact: Contact | None = None,
               requested_by: User | None = None, status: str = QuoteStatus.SENT,
               sent: bool = True) -> Quote:
    return Quote.objects.create(
        number=f"Q-T-{next(_numbers):05d}", account=account, contact=contact,
        requested_by=requested_by, status=status, currency="USD", total=Decimal("100.00"),
        subtotal=Decimal("100.00"), sent_at=timezone.now() if sent else None)


def make_asset(account: Account, serial: str) -> Asset:
    return Asset.objects.create(account=account, make="Acme", model="X1", serial_number=serial,
                                warranty_end=timezone.localdate() + timedelta(days=30))


def make_request(account: Account, *, contact: Contact | None = None,
                 created_by: User | None = None, asset: Asset | None = None) -> ServiceRequest:
    return ServiceRequest.objects.create(
        number=f"SR-T-{next(_numbers):05d}", account=account, contact=contact,
        created_by=created_by, asset=asset, subject="Broken", reported_at=timezone.now())


@dataclass
class World:
    accounts: dict[str, Account]
    contacts: dict[str, Contact]
    members: dict[str, User]
    quotes: dict[str, Quote] = field(default_factory=dict)
    assets: dict[str, Asset] = field(default_factory=dict)
    requests: dict[str, ServiceRequest] = field(default_factory=dict)


def set_branches(on: bool) -> None:
    PortalSettings.objects.update_or_create(pk=1, defaults={"admins_see_branches": on})


@pytest.fixture
def world(tenant_a: TenantFixture, in_tenant) -> World:
    with in_tenant(tenant_a):
        head = Account.objects.create(name="Hoth Holdings", name_normalized="hoth holdings",
                                      domain="hoth.test")
        b1 = Account.objects.create(name="Hoth Branch One", name_normalized="hoth branch one",
                                    parent=head)
        b1a = Account.objects.create(name="Hoth Plant", name_normalized="hoth plant", parent=b1)
        b2 = Account.objects.create(name="Hoth Branch Two", name_normalized="hoth branch two",
                                    parent=head)
        accounts = {"H": head, "B1": b1, "B1a": b1a, "B2": b2}
        contacts = {
            "boss": Contact.objects.create(account=head, last_name="Boss",
                                           email="boss@hoth.test"),
            "buyer": Contact.objects.create(account=head, last_name="Buyer",
                                            email="buyer@hoth.test"),
            "eng": Contact.objects.create(account=b1, last_name="Eng", email="eng@hoth.test"),
            "peer": Contact.objects.create(account=b1, last_name="Peer",
                                           email="peer@hoth.test"),
            "sib": Contact.objects.create(account=b2, last_name="Sib", email="sib@hoth.test"),
        }
        members = {
            "boss": make_member("boss@hoth.test", contact=contacts["boss"],
                                role=MemberRole.CUSTOMER_ADMIN),
            "buyer": make_member("buyer@hoth.test", contact=contacts["buyer"]),
            "eng": make_member("eng@hoth.test", contact=contacts["eng"]),
            "sib": make_member("sib@hoth.test", contact=contacts["sib"]),
        }
        w = World(accounts=accounts, contacts=contacts, members=members)
        w.quotes = {
            "H": make_quote(head, contact=contacts["boss"]),
            "B1_eng": make_quote(b1, contact=contacts["eng"]),
            "B1_eng_requested": make_quote(b1, requested_by=members["eng"],
                                           status=QuoteStatus.REQUESTED, sent=False),
            "B1_peer": make_quote(b1, contact=contacts["peer"]),
            "B1_draft": make_quote(b1, contact=contacts["eng"], status=QuoteStatus.DRAFT,
                                   sent=False),
            "B1a": make_quote(b1a),
            "B2": make_quote(b2, contact=contacts["sib"]),
        }
        w.assets = {key: make_asset(account, f"SN-{key}") for key, account in accounts.items()}
        w.requests = {
            "H": make_request(head, contact=contacts["buyer"]),
            "B1_eng": make_request(b1, created_by=members["eng"], asset=w.assets["B1"]),
            "B1_eng_contact": make_request(b1, contact=contacts["eng"]),
            "B1_peer": make_request(b1, contact=contacts["peer"], asset=w.assets["B1"]),
            "B1a": make_request(b1a),
            "B2": make_request(b2, contact=contacts["sib"]),
        }
        set_branches(False)
    connection.set_schema_to_public()
    return w


@pytest.fixture
def member_b(tenant_b: TenantFixture, in_tenant) -> User:
    """A member of tenant B's own customer (ids from the second tenant's range)."""
    with in_tenant(tenant_b):
        account = Account.objects.create(name="Beta Customer", name_normalized="beta customer")
        contact = Contact.objects.create(account=account, last_name="Bee",
                                         email="bee@beta-customer.test")
        user = make_member("bee@beta-customer.test", contact=contact,
                           role=MemberRole.CUSTOMER_ADMIN)
        make_quote(account, contact=contact)
        make_asset(account, "SN-BETA")
        make_request(account, contact=contact)
    connection.set_schema_to_public()
    return user


@pytest.fixture
def member_client(tenant_a) -> Callable[..., Client]:
    def make(user: User, tenant: TenantFixture | None = None) -> Client:
        target = (tenant or tenant_a).tenant
        client = Client(HTTP_HOST=target.primary_host)
        with tenant_context(target):
            client.force_login(user)
        connection.set_schema_to_public()
        return client

    return make
