"""Helpers for the leads tests: fresh user objects (the visibility scope is memoised on a
user instance, so each test loads its own) and a lead factory that goes through services."""

from collections.abc import Callable
from typing import Any

import pytest

from crm.leads.models import AssignmentRule, Lead, ScoringRule
from crm.leads.services import lead_create
from tenants.users.models import User


@pytest.fixture
def people_a(tenant_a, in_tenant) -> dict[str, User]:
    with in_tenant(tenant_a):
        return {key: User.objects.get(pk=user.pk) for key, user in tenant_a.users.items()}


@pytest.fixture
def people_b(tenant_b, in_tenant) -> dict[str, User]:
    with in_tenant(tenant_b):
        return {key: User.objects.get(pk=user.pk) for key, user in tenant_b.users.items()}


@pytest.fixture
def no_rules(tenant_a, tenant_b, in_tenant) -> None:
    """Start from empty scoring and assignment tables (provisioning adds default scoring)."""
    for tenant in (tenant_a, tenant_b):
        with in_tenant(tenant):
            ScoringRule.objects.all().delete()
            AssignmentRule.objects.all().delete()


@pytest.fixture
def make_lead() -> Callable[..., Lead]:
    counter = {"n": 0}

    def make(*, actor: User | None = None, **fields: Any) -> Lead:
        counter["n"] += 1
        defaults = {
            "company": f"Lead Company {counter['n']}",
            "first_name": "Pat",
            "last_name": f"Buyer{counter['n']}",
            "email": f"pat{counter['n']}@buyer{counter['n']}.example",
            "source": "web_form",
        }
        defaults.update(fields)
        return lead_create(actor=actor, **defaults)

    return make


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)
