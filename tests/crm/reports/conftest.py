"""A sales world for the report tests, built row by row (the reports read rows; the rules
that make them have their own tests): a team East managed by ``manager`` with ``rep`` in
it; ``rep2`` on no team; deals in every stage, won and lost ones with stage history,
activities, accounts, converted leads, sent quotes, booked orders and payments, in the
current year, in USD and EUR."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from crm.accounts.models import Account
from crm.activities.models import Activity, ActivityKind
from crm.core.models import Team
from crm.leads.models import Lead, LeadStatus
from crm.orders.models import Order, OrderStatus
from crm.quotes.models import Quote, QuoteStatus
from crm.receivables.models import Payment
from crm.sales.models import Opportunity, Stage, StageHistory
from crm.sales.services import default_pipeline
from tenants.users.models import User
from tests.crm.core.factories import make_team

_numbers = count(1)
YEAR = timezone.localdate().year
PERIOD = f"period=custom&start={YEAR}-01-01&end={YEAR}-12-31"


def aware(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def make_account(owner: User | None, name: str | None = None) -> Account:
    name = name or f"Report account {next(_numbers)}"
    return Account.objects.create(name=name, name_normalized=name.lower(), owner=owner)


def make_deal(*, owner: User | None, stage: Stage, amount: str = "1000",
              currency: str = "USD", close_date: date | None = None,
              closed_on: date | None = None, path: list[Stage] | None = None,
              account: Account | None = None) -> Opportunity:
    """A deal in ``stage``; its history walks ``path`` (default: the stages up to its own)."""
    pipeline = stage.pipeline
    deal = Opportunity.objects.create(
        account=account or make_account(owner), name=f"Deal {next(_numbers)}",
        amount=Decimal(amount), currency=currency,
        close_date=close_date or date(YEAR, 6, 15), pipeline=pipeline, stage=stage,
        probability=stage.probability, owner=owner,
        closed_at=aware(closed_on) if closed_on else None)
    stages = path if path is not None else [
        s for s in pipeline.stages.order_by("order") if not s.is_closed
        and s.order <= stage.order] + ([stage] if stage.is_closed else [])
    for entered in stages:
        StageHistory.objects.create(opportunity=deal, stage=entered)
    return deal


def make_activity(owner: User, kind: str, day: date) -> Activity:
    return Activity.objects.create(kind=kind, subject=f"{kind} {next(_numbers)}", owner=owner,
                                   occurred_at=aware(day))


def make_lead(owner: User, *, converted_on: date | None) -> Lead:
    return Lead.objects.create(
        company=f"Lead {next(_numbers)}", owner=owner,
        status=LeadStatus.CONVERTED if converted_on else LeadStatus.NEW,
        converted_at=aware(converted_on) if converted_on else None)


def make_quote(owner: User, *, sent_on: date | None, account: Account | None = None) -> Quote:
    return Quote.objects.create(
        number=f"Q-{next(_numbers)}", account=account or make_account(owner), owner=owner,
        status=QuoteStatus.SENT if sent_on else QuoteStatus.DRAFT, currency="USD",
        sent_at=aware(sent_on) if sent_on else None)


def make_order(owner: User, *, total: str, currency: str = "USD", day: date,
               status: str = OrderStatus.APPROVED) -> Order:
    return Order.objects.create(
        number=f"O-{next(_numbers)}", account=make_account(owner), owner=owner, status=status,
        currency=currency, ordered_on=day, total=Decimal(total), subtotal=Decimal(total))


@dataclass
class World:
    users: dict[str, User]
    team: Team
    stages: dict[str, Stage]


def stages_by_name() -> dict[str, Stage]:
    return {stage.name: stage for stage in default_pipeline().stages.all()}


def build_world(tenant: Any, *, reps_extra: int = 0) -> World:
    users = tenant.users
    team = make_team("East", managers=[users["manager"]], members=[users["rep"]])
    stages = stages_by_name()
    open_stages = [s for s in stages.values() if not s.is_closed]
    won = next(s for s in stages.values() if s.is_won)
    lost = next(s for s in stages.values() if s.is_lost)
    for owner, scale in ((users["rep"], 1), (users["rep2"], 2), (users["manager"], 3)):
        for index, stage in enumerate(open_stages):
            make_deal(owner=owner, stage=stage, amount=str(1000 * scale + index))
        make_deal(owner=owner, stage=open_stages[0], amount="500", currency="EUR")
        # Outside the period: not counted anywhere.
        make_deal(owner=owner, stage=open_stages[1], close_date=date(YEAR + 1, 2, 1))
        make_deal(owner=owner, stage=won, amount=str(2000 * scale),
                  closed_on=date(YEAR, 3, 10))
        make_deal(owner=owner, stage=won, amount="700", currency="EUR",
                  closed_on=date(YEAR, 4, 2))
        make_deal(owner=owner, stage=lost, closed_on=date(YEAR, 5, 5),
                  path=[open_stages[0], lost])
        make_deal(owner=owner, stage=won, closed_on=date(YEAR - 1, 12, 1))
        for _n in range(scale):
            make_activity(owner, ActivityKind.CALL, date(YEAR, 2, 3))
            make_activity(owner, ActivityKind.VISIT, date(YEAR, 2, 4))
            make_lead(owner, converted_on=date(YEAR, 3, 3))
            make_quote(owner, sent_on=date(YEAR, 3, 4))
            order = make_order(owner, total=str(300 * scale), day=date(YEAR, 3, 5))
            Payment.objects.create(order=order, amount=Decimal(100 * scale),
                                   paid_on=date(YEAR, 4, 1))
        make_activity(owner, ActivityKind.CALL, date(YEAR - 1, 6, 1))
        make_lead(owner, converted_on=None)
        make_quote(owner, sent_on=None)
        make_order(owner, total="999", day=date(YEAR, 3, 5), status=OrderStatus.DRAFT)
        make_order(owner, total="450", currency="EUR", day=date(YEAR, 7, 1))
    # A deal without owner (the pool): managers and admins see it.
    make_deal(owner=None, stage=open_stages[0], amount="42")
    return World(users=users, team=team, stages=stages)


@pytest.fixture
def world(tenant_a, in_tenant) -> World:
    with in_tenant(tenant_a):
        return build_world(tenant_a)


@pytest.fixture
def client_for(tenant_a, tenant_client) -> Callable[[str], Client]:
    def make(key: str) -> Client:
        return tenant_client(tenant_a, tenant_a.users[key])

    return make


def api_list(client: Client, link: str) -> list[dict[str, Any]]:
    """Every row of the API list behind a report link (the page URL's query string applied
    to the list's endpoint), all pages."""
    parts = urlsplit(link)
    assert parts.path.startswith("/crm/"), link
    url: str | None = "/api/v1/" + parts.path[len("/crm/"):] + "?" + parts.query \
        + "&page_size=200"
    rows: list[dict[str, Any]] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:500])
        body = response.json()
        rows += body["results"]
        url = body.get("next")
        if url:
            url = url.split("://", 1)[-1]
            url = url[url.index("/"):]
    return rows


def report_json(client: Client, slug: str, query: str = PERIOD) -> dict[str, Any]:
    response = client.get(f"/api/v1/reports/{slug}/?{query}")
    assert response.status_code == 200, response.content[:800]
    return response.json()


def table(report: dict[str, Any], key: str) -> dict[str, Any]:
    return next(t for t in report["tables"] if t["key"] == key)


def money_sum(rows: list[dict[str, Any]], field: str, currency: str) -> Decimal:
    return sum((Decimal(str(row[field])) for row in rows if row["currency"] == currency),
               Decimal(0))


def as_decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


ONE_DAY = timedelta(days=1)
