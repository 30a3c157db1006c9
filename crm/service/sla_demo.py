"""Demo SLA data: the tenant default policy Mon-Fri 09:00-18:00 Asia/Shanghai with this
year's Chinese public holidays and adjusted working days (from the holiday proposal, as a
tenant would confirm them), a 24x7 premium policy, and service contracts for demo accounts
(an account-wide premium contract with a visit allowance on a head office, so its branches
are covered too; an office-hours contract with an hour allowance that ends within the
renewal window). Runs before the service seeder, so its requests start their clocks under
these policies. Idempotent: the default policy's name marks the data as seeded."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crm.accounts.models import Account
from crm.service.models import ServiceContract, Severity, SlaPolicy
from crm.service.services.policies import holiday_proposal
from tenants.demo import demo_seeder

OFFICE_POLICY = "标准服务 Standard (Mon–Fri 09:00–18:00, Asia/Shanghai)"  # noqa: RUF001
PREMIUM_POLICY = "Premium 24x7"
OFFICE_TARGETS = [
    {"severity": Severity.CRITICAL.value, "first_response_minutes": 60,
     "resolution_minutes": 480},
    {"severity": Severity.HIGH.value, "first_response_minutes": 120,
     "resolution_minutes": 1080},
    {"severity": Severity.NORMAL.value, "first_response_minutes": 240,
     "resolution_minutes": 2700},
    {"severity": Severity.LOW.value, "first_response_minutes": 540,
     "resolution_minutes": 5400},
]
PREMIUM_TARGETS = [
    {"severity": Severity.CRITICAL.value, "first_response_minutes": 15,
     "resolution_minutes": 240},
    {"severity": Severity.HIGH.value, "first_response_minutes": 30,
     "resolution_minutes": 480},
    {"severity": Severity.NORMAL.value, "first_response_minutes": 120,
     "resolution_minutes": 1440},
    {"severity": Severity.LOW.value, "first_response_minutes": 480,
     "resolution_minutes": 4320},
]


@demo_seeder(name="sla", order=75)
def seed_sla() -> None:
    if SlaPolicy.objects.filter(name=OFFICE_POLICY).exists():
        return
    today = timezone.localdate()
    proposal = holiday_proposal(country="CN", year=today.year)
    with transaction.atomic():
        SlaPolicy.objects.filter(is_default=True).update(is_default=False)
        office = SlaPolicy.objects.create(
            name=OFFICE_POLICY, time_zone="Asia/Shanghai", is_default=True,
            hours=[{"weekday": day, "start": "09:00", "end": "18:00"} for day in range(5)],
            holidays=proposal.holidays, extra_working_days=proposal.extra_working_days,
            targets=OFFICE_TARGETS)
        premium = SlaPolicy.objects.create(name=PREMIUM_POLICY, time_zone="Asia/Shanghai",
                                           around_the_clock=True, targets=PREMIUM_TARGETS)
        heads = list(Account.objects.filter(external_id__startswith="demo-",
                                            parent__isnull=True, children__isnull=False)
                     .distinct().order_by("pk")[:1])
        others = list(Account.objects.filter(external_id__startswith="demo-")
                      .exclude(pk__in=[a.pk for a in heads]).order_by("pk")[:3])
        start = today.replace(month=1, day=1)
        number = 0

        def contract(account: Account, policy: SlaPolicy, ends_in_days: int,
                     kind: str = "", allowance: str | None = None,
                     used: str = "0") -> ServiceContract:
            nonlocal number
            number += 1
            return ServiceContract.objects.create(
                number=f"SC-DEMO-{number:03d}", account=account, sla_policy=policy,
                starts_on=start, ends_on=today + timedelta(days=ends_in_days),
                allowance_kind=kind, allowance=Decimal(allowance) if allowance else None,
                used=Decimal(used))

        for account in heads:
            contract(account, premium, 400, "visits", "12", "3")
        for index, account in enumerate(others):
            if index == 0:
                contract(account, office, 45, "hours", "40", "12.5")
            elif index == 1:
                contract(account, premium, 200)
