"""Per-role discount and approval limits (empty = unlimited), stored per tenant."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.staff.models import RolePolicy
from tenants.users.models import Role, User


@dataclass(frozen=True)
class Limits:
    discount_limit_percent: Decimal | None
    approval_limit_amount: Decimal | None


# A new tenant's limits (and what the selectors assume before a tenant has its rows).
DEFAULT_ROLE_LIMITS: dict[str, Limits] = {
    Role.ADMIN: Limits(None, None),
    Role.MANAGER: Limits(Decimal("25"), Decimal("500000")),
    Role.SALES_REP: Limits(Decimal("10"), Decimal("0")),
    Role.SERVICE_AGENT: Limits(Decimal("0"), Decimal("0")),
    Role.READ_ONLY: Limits(Decimal("0"), Decimal("0")),
}


def role_policies_ensure() -> list[RolePolicy]:
    """Every role has its row (created with the defaults; existing rows are kept)."""
    policies = []
    for role in Role.values:
        limits = DEFAULT_ROLE_LIMITS[role]
        policy, _created = RolePolicy.objects.get_or_create(role=role, defaults={
            "discount_limit_percent": limits.discount_limit_percent,
            "approval_limit_amount": limits.approval_limit_amount,
        })
        policies.append(policy)
    return policies


def role_policy_update(*, role: str, discount_limit_percent: Decimal | None,
                       approval_limit_amount: Decimal | None, actor: User) -> RolePolicy:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles.")})
    errors: dict[str, str] = {}
    if discount_limit_percent is not None and not (
            Decimal("0") <= discount_limit_percent <= Decimal("100")):
        errors["discount_limit_percent"] = _("A discount limit is between 0 and 100 percent.")
    if approval_limit_amount is not None and approval_limit_amount < 0:
        errors["approval_limit_amount"] = _("An approval limit cannot be negative.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        role_policies_ensure()
        policy = RolePolicy.objects.select_for_update().get(role=role)
        before = [policy.discount_limit_percent, policy.approval_limit_amount]
        policy.discount_limit_percent = discount_limit_percent
        policy.approval_limit_amount = approval_limit_amount
        policy.full_clean()
        policy.save()
        after = [policy.discount_limit_percent, policy.approval_limit_amount]
        changes = {name: [old, new] for name, old, new in zip(
            ("discount_limit_percent", "approval_limit_amount"), before, after, strict=True)
            if old != new}
        if changes:
            audit_event(instance=policy, action="role_policy.updated", actor=actor,
                        changes=changes, data={"role": role})
    return policy
