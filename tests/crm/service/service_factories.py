"""Assets, queues and service requests for the assets/requests tests, built through the
services (the rules apply)."""

from datetime import datetime
from itertools import count
from typing import Any

from crm.accounts.models import Account
from crm.service.models import Asset, ServiceQueue, ServiceRequest, SlaPolicy
from crm.service.services import asset_create, service_request_create
from tenants.users.models import User

_sequence = count(1)

AROUND_THE_CLOCK_TARGETS = [
    {"severity": "critical", "first_response_minutes": 30, "resolution_minutes": 240},
    {"severity": "high", "first_response_minutes": 60, "resolution_minutes": 480},
    {"severity": "normal", "first_response_minutes": 120, "resolution_minutes": 1440},
    {"severity": "low", "first_response_minutes": 480, "resolution_minutes": 4320},
]


def make_default_policy() -> SlaPolicy:
    """A 24x7 tenant default policy: due times are plain wall-clock offsets."""
    return SlaPolicy.objects.create(name=f"24x7 {next(_sequence)}", around_the_clock=True,
                                    time_zone="UTC", targets=AROUND_THE_CLOCK_TARGETS,
                                    is_default=True)


def new_asset(*, actor: User, account: Account, **fields: Any) -> Asset:
    values: dict[str, Any] = {"make": "Acme", "model": "X1",
                              "serial_number": f"AS-{next(_sequence)}", **fields}
    return asset_create(actor=actor, account=account, **values)


def new_request(*, actor: User, account: Account, reported_at: datetime | None = None,
                now: datetime | None = None, **fields: Any) -> ServiceRequest:
    values: dict[str, Any] = {"subject": f"Fault {next(_sequence)}", "severity": "normal",
                              **fields}
    return service_request_create(actor=actor, account=account, reported_at=reported_at,
                                  now=now, **values)


def make_queue(*, agents: list[User], **fields: Any) -> ServiceQueue:
    queue = ServiceQueue.objects.create(name=fields.pop("name", f"Queue {next(_sequence)}"),
                                        **fields)
    queue.agents.set(agents)
    return queue
