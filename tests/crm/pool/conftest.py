"""Fixtures for the activities tests: fresh user objects per test (the visibility scope is
memoised on a user instance) and accounts built through the accounts services."""

import pytest

from tenants.users.models import User
from tests.crm.core.factories import make_team


@pytest.fixture
def people_a(tenant_a, in_tenant) -> dict[str, User]:
    with in_tenant(tenant_a):
        return {key: User.objects.get(pk=user.pk) for key, user in tenant_a.users.items()}


@pytest.fixture
def people_b(tenant_b, in_tenant) -> dict[str, User]:
    with in_tenant(tenant_b):
        return {key: User.objects.get(pk=user.pk) for key, user in tenant_b.users.items()}


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


@pytest.fixture
def managed_team(tenant_a, in_tenant, people_a):
    """The manager manages a team of rep and rep2: a manager acts only for their teams."""

    with in_tenant(tenant_a):
        team = make_team("Managed pool team", managers=[people_a["manager"]])
        team.members.add(people_a["rep"], people_a["rep2"])
        return team
