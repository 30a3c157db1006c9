"""Fixtures for the sales tests: accounts and opportunities built through the services."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest

from crm.accounts.models import Account
from crm.sales.models import Opportunity, Pipeline, Stage
from crm.sales.services import default_pipeline, opportunity_create
from tenants.users.models import User
from tests.crm.core.factories import make_team

_sequence = count(1)


@pytest.fixture
def make_account() -> Callable[..., Account]:
    def make(name: str | None = None, *, owner: User | None = None,
             parent: Account | None = None) -> Account:
        name = name or f"Account {next(_sequence)}"
        return Account.objects.create(name=name, name_normalized=name.lower(), owner=owner,
                                      parent=parent)

    return make


@pytest.fixture
def make_opportunity(make_account) -> Callable[..., Opportunity]:
    def make(*, owner: User | None, actor: User | None = None, account: Account | None = None,
             amount: str | int = "1000", stage: Stage | None = None,
             close_date: date | None = None, name: str | None = None,
             currency: str | None = None) -> Opportunity:
        return opportunity_create(
            account=account or make_account(owner=owner),
            name=name or f"Deal {next(_sequence)}", amount=Decimal(str(amount)),
            currency=currency, close_date=close_date or date.today() + timedelta(days=30),
            stage=stage, owner=owner, actor=actor or owner,
        )

    return make


def stage_named(name: str, pipeline: Pipeline | None = None) -> Stage:
    pipeline = pipeline or default_pipeline()
    return pipeline.stages.get(name=name)


@pytest.fixture
def sales_world(tenant_a, in_tenant, make_opportunity):
    """rep and manager share a team (manager manages it); rep2 is on no team.
    Deals: one each for rep, rep2 and manager, and one without owner."""

    users = tenant_a.users
    with in_tenant(tenant_a):
        team = make_team("East sales", managers=[users["manager"]])
        team.members.add(users["rep"])
        deals = {
            "rep": make_opportunity(owner=users["rep"], name="Rep deal"),
            "rep2": make_opportunity(owner=users["rep2"], name="Rep2 deal"),
            "manager": make_opportunity(owner=users["manager"], name="Manager deal"),
            "pool": make_opportunity(owner=None, actor=users["admin"], name="Pool deal"),
        }
    return {"team": team, "deals": deals}
