"""Demo data: calls, visits with check-ins, meetings, tasks (some overdue, some with
reminders) and sales logs with comments and likes over the last months, on the demo
accounts. Deterministic (a fixed random seed) and idempotent (skipped once seeded); skipped
when there are no accounts yet."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crm.accounts.models import Account
from crm.accounts.services import account_touch_activity
from crm.activities.models import (
    AccountLocation,
    Activity,
    ActivityComment,
    ActivityKind,
    ActivityLike,
)
from tenants.demo import demo_seeder
from tenants.users.models import User

MARKER = "[demo]"
SUBJECTS = {
    ActivityKind.CALL: ("Intro call", "Pricing follow-up", "Checked delivery dates",
                        "回访电话", "Discussed renewal"),
    ActivityKind.VISIT: ("Site visit", "Plant tour", "拜访客户", "Quarterly review on site"),
    ActivityKind.MEETING: ("Demo meeting", "Technical workshop", "Contract negotiation",
                           "方案汇报"),
    ActivityKind.TASK: ("Send quote", "Prepare proposal", "Follow up on samples",
                        "整理需求清单"),
}
LOG_TEXTS = ("Three calls, one visit; the Contoso deal moves to negotiation.",
             "今天拜访了两家客户, 一家有明确采购计划。",
             "Trade-show leads followed up; two meetings booked for next week.",
             "Customer asked for a discount beyond my limit; need manager approval.")
# Around Shanghai (31.23, 121.47) and Beijing (39.90, 116.40).
CENTRES = ((Decimal("31.230400"), Decimal("121.473700")),
           (Decimal("39.904200"), Decimal("116.407400")))
ACCOUNT_LIMIT = 80
DAYS = 120


@demo_seeder(name="activities", order=40)
def seed_activities() -> None:
    if Activity.objects.filter(notes__startswith=MARKER).exists():
        return
    accounts = list(Account.objects.order_by("pk")[:ACCOUNT_LIMIT])
    if not accounts:
        return
    people = list(User.objects.filter(
        email__in=["rep@demo.test", "manager@demo.test", "admin@demo.test"]).order_by("email"))
    if not people:
        return
    rng = random.Random(40)  # noqa: S311 - demo data, not security
    now = timezone.now()
    with transaction.atomic():
        _seed(rng, now, accounts, people)


def _owner_of(account: Account, people: list[User], rng: random.Random) -> User:
    owner = next((p for p in people if p.pk == account.owner_id), None)
    return owner or rng.choice(people)


def _seed(rng: random.Random, now, accounts: list[Account], people: list[User]) -> None:
    rows: list[Activity] = []
    for index, account in enumerate(accounts):
        if index % 2 == 0:  # half the accounts get a known location
            lat, lon = CENTRES[index % len(CENTRES)]
            AccountLocation.objects.get_or_create(account=account, defaults={
                "latitude": lat + Decimal(rng.randint(-3000, 3000)) / 100000,
                "longitude": lon + Decimal(rng.randint(-3000, 3000)) / 100000,
                "source": "manual"})
        for _n in range(rng.randint(1, 5)):
            kind = rng.choice([ActivityKind.CALL, ActivityKind.CALL, ActivityKind.VISIT,
                               ActivityKind.MEETING])
            when = now - timedelta(days=rng.randint(1, DAYS), hours=rng.randint(0, 8))
            activity = Activity(kind=kind, subject=rng.choice(SUBJECTS[kind]),
                                notes=f"{MARKER} {account.name}", account=account,
                                owner=_owner_of(account, people, rng), occurred_at=when,
                                done_at=when, duration_minutes=rng.choice([15, 30, 45, 60]))
            activity.target = account
            if kind == ActivityKind.VISIT:
                location = getattr(account, "location", None)
                if location is not None:
                    activity.latitude, activity.longitude = location.latitude, location.longitude
                    activity.checked_in_at = when
            rows.append(activity)
        if index % 4 == 0:  # open tasks: overdue, due today, due later with a reminder
            offset = rng.choice([-3, -1, 0, 0, 2, 5])
            due = (now + timedelta(days=offset)).replace(hour=16, minute=0, second=0,
                                                         microsecond=0)
            task = Activity(kind=ActivityKind.TASK, subject=rng.choice(SUBJECTS[ActivityKind.TASK]),
                            notes=f"{MARKER} {account.name}", account=account,
                            owner=_owner_of(account, people, rng), occurred_at=now,
                            due_at=due, remind_at=due - timedelta(hours=2) if offset > 0 else None)
            task.target = account
            rows.append(task)
    Activity.objects.bulk_create(rows)
    for account in accounts:
        last = max((a.occurred_at for a in rows if a.account_id == account.pk and a.done_at),
                   default=None)
        if last is not None:
            account_touch_activity(account=account, when=last)
    for day in range(0, 30, 3):
        author = people[day % len(people)]
        when = now - timedelta(days=day, hours=2)
        log = Activity.objects.create(kind=ActivityKind.LOG, subject=when.strftime("%Y-%m-%d"),
                                      notes=f"{MARKER} {LOG_TEXTS[day % len(LOG_TEXTS)]}",
                                      owner=author, occurred_at=when, done_at=when)
        for other in people:
            if other.pk != author.pk and rng.random() < 0.6:
                ActivityLike.objects.get_or_create(activity=log, user=other)
        if len(people) > 1 and rng.random() < 0.5:
            ActivityComment.objects.create(activity=log, author=people[(day + 1) % len(people)],
                                           body=rng.choice(["Nice work!", "干得好",
                                                            "Let's discuss tomorrow."]))
