"""SLA policies, contracts, assets and service requests for the SLA tests. Requests are made
directly through the ORM (the request lifecycle services belong to another part)."""

from datetime import date, datetime
from itertools import count
from typing import Any

from django.utils import timezone

from crm.accounts.models import Account
from crm.service.models import Asset, ServiceContract, ServiceRequest, SlaPolicy

_sequence = count(1)

OFFICE_HOURS = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)]
TARGETS = [
    {"severity": "critical", "first_response_minutes": 30, "resolution_minutes": 240},
    {"severity": "high", "first_response_minutes": 60, "resolution_minutes": 540},
    {"severity": "normal", "first_response_minutes": 240, "resolution_minutes": 1080},
    {"severity": "low", "first_response_minutes": 540, "resolution_minutes": 2700},
]


def make_policy(**fields: Any) -> SlaPolicy:
    values: dict[str, Any] = {"name": f"Policy {next(_sequence)}", "time_zone": "Asia/Shanghai",
                              "hours": OFFICE_HOURS, "targets": TARGETS, **fields}
    return SlaPolicy.objects.create(**values)


def make_asset(*, account: Account, **fields: Any) -> Asset:
    values: dict[str, Any] = {"make": "Acme", "model": "X1",
                              "serial_number": f"SN-{next(_sequence)}", **fields}
    return Asset.objects.create(account=account, **values)


def make_contract(*, account: Account, sla_policy: SlaPolicy, assets: list[Asset] | None = None,
                  starts_on: date = date(2026, 1, 1), ends_on: date = date(2026, 12, 31),
                  **fields: Any) -> ServiceContract:
    contract = ServiceContract.objects.create(account=account, sla_policy=sla_policy,
                                              starts_on=starts_on, ends_on=ends_on, **fields)
    if assets:
        contract.assets.set(assets)
    return contract


def make_request(*, account: Account, reported_at: datetime | None = None,
                 **fields: Any) -> ServiceRequest:
    number = next(_sequence)
    values: dict[str, Any] = {"number": f"SR-T-{number:05d}", "subject": f"Problem {number}",
                              "reported_at": reported_at or timezone.now(), **fields}
    return ServiceRequest.objects.create(account=account, **values)
