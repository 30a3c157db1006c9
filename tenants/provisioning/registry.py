"""The provisioning step registry.

Each app that gives a new tenant its defaults (first admin, Wagtail site, default pipeline,
pool rules, portal pages...) registers a step here from its AppConfig.ready(). Steps run in
``order`` inside the new tenant's schema and must be idempotent: a retried provisioning run
repeats every step.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from tenants.models import ProvisioningJob, Tenant


@dataclass
class ProvisioningContext:
    tenant: "Tenant"
    job: "ProvisioningJob | None" = None
    admin_email: str = ""
    admin_password_hash: str = ""
    # Steps may leave facts for later steps (e.g. the admin user's id).
    facts: dict[str, object] = field(default_factory=dict)


StepFunction = Callable[[ProvisioningContext], None]


@dataclass(frozen=True)
class ProvisioningStep:
    name: str
    label: "str | Promise"
    order: int
    run: StepFunction


_steps: dict[str, ProvisioningStep] = {}


def provisioning_step(
    *, name: str, label: "str | Promise", order: int
) -> Callable[[StepFunction], StepFunction]:
    """Register ``func`` as a provisioning step (re-registering a name replaces it)."""

    def decorator(func: StepFunction) -> StepFunction:
        _steps[name] = ProvisioningStep(name=name, label=label, order=order, run=func)
        return func

    return decorator


def registered_steps() -> list[ProvisioningStep]:
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))
