"""Fixtures for the staff tests: fresh users per test, seats set on the billing account
(alpha has 7 active staff users, beta 9), and helpers for invitations."""

from collections.abc import Callable

import pytest

from billing.models import BillingAccount
from billing.services.accounts import billing_account_ensure
from tenants.models import Tenant
from tenants.users.models import User


@pytest.fixture
def people_a(tenant_a, in_tenant) -> dict[str, User]:
    with in_tenant(tenant_a):
        return {key: User.objects.get(pk=user.pk) for key, user in tenant_a.users.items()}


@pytest.fixture
def people_b(tenant_b, in_tenant) -> dict[str, User]:
    with in_tenant(tenant_b):
        return {key: User.objects.get(pk=user.pk) for key, user in tenant_b.users.items()}


def set_paid_seats(tenant: Tenant, seats: int) -> None:
    """A subscription paying for ``seats`` (the seat limit is then exactly that)."""
    billing_account_ensure(tenant=tenant)
    BillingAccount.objects.filter(tenant=tenant).update(
        stripe_subscription_id="sub_staff_tests", subscription_status="active",
        seats_paid=seats)


@pytest.fixture
def paid_seats(tenant_a) -> Callable[..., None]:
    def set_seats(seats: int, tenant: Tenant | None = None) -> None:
        set_paid_seats(tenant or tenant_a.tenant, seats)

    return set_seats


@pytest.fixture(autouse=True)
def _room_for_everyone(tenant_a, tenant_b) -> None:
    """Plenty of seats unless a test says otherwise (the starter plan's 3 are all taken)."""
    set_paid_seats(tenant_a.tenant, 50)
    set_paid_seats(tenant_b.tenant, 50)


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)
