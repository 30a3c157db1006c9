"""Service contract (entitlement) commands: create and update (MANAGE_SLA, on accounts the
actor may see), the allowance draw-down work logs call, and renewal reminders (once per
contract, to the account owner; tenant admins when the account sits in the pool).

A contract covers the assets it lists, or with none listed every asset of its account and
of that account's branches (crm.service.coverage). Listed assets must belong to the account
or one of its branches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Account
from crm.accounts.selectors import account_descendant_ids, account_is_visible
from crm.core.audit import audit_event
from crm.core.notifications import notify
from crm.core.numbering import next_number
from crm.service.models import Asset, ServiceContract, SlaPolicy, SlaSettings
from tenants.users.models import Role, User, UserKind
from tenants.users.permissions import Capability, can

ALLOWANCE_KINDS = ("", "visits", "hours")
ALLOWANCE_LIMIT = Decimal("99999999")


class ContractValues(TypedDict, total=False):
    account: Account
    assets: list[Asset]
    starts_on: date
    ends_on: date
    sla_policy: SlaPolicy
    allowance_kind: str
    allowance: Decimal | int | str | None


def _require(actor: User) -> None:
    if not can(actor, Capability.MANAGE_SLA):
        raise PermissionDenied(_("You may not change service contracts."))


def _allowance(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float | bool):
        raise ValidationError({"allowance": _("Give the allowance as a decimal number.")})
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({"allowance": _("Give the allowance as a decimal number.")}
                              ) from None
    if not amount.is_finite() or amount <= 0 or amount > ALLOWANCE_LIMIT \
            or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"allowance": _("The allowance must be above 0, with at most "
                                              "two decimals.")})
    return amount


def _clean(values: dict[str, Any], *, actor: User) -> dict[str, Any]:
    errors: dict[str, str] = {}
    account = values.get("account")
    if not isinstance(account, Account) or not account_is_visible(viewer=actor,
                                                                   account=account):
        errors["account"] = _("Choose an account you can see.")
    policy = values.get("sla_policy")
    if not isinstance(policy, SlaPolicy):
        errors["sla_policy"] = _("Choose an SLA policy.")
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if not isinstance(starts_on, date):
        errors["starts_on"] = _("Give the first day of the contract.")
    if not isinstance(ends_on, date):
        errors["ends_on"] = _("Give the last day of the contract.")
    elif isinstance(starts_on, date) and ends_on < starts_on:
        errors["ends_on"] = _("The contract cannot end before it starts.")
    kind = values.get("allowance_kind") or ""
    if kind not in ALLOWANCE_KINDS:
        errors["allowance_kind"] = _("Choose visits, hours or none.")
    try:
        amount = _allowance(values.get("allowance"))
    except ValidationError as error:
        errors.update({key: msgs[0] for key, msgs in error.message_dict.items()})
        amount = None
    if kind and amount is None and "allowance" not in errors:
        errors["allowance"] = _("Give the number of visits or hours included.")
    if not kind and amount is not None:
        errors["allowance_kind"] = _("Say whether the allowance counts visits or hours.")
    assets = list(values.get("assets") or [])
    if isinstance(account, Account) and "account" not in errors and assets:
        family = set(account_descendant_ids(account_id=account.pk))
        if any(asset.account_id not in family for asset in assets):
            errors["assets"] = _("Covered assets must belong to the account or its branches.")
    if errors:
        raise ValidationError(errors)
    return {"account": account, "sla_policy": policy, "starts_on": starts_on,
            "ends_on": ends_on, "allowance_kind": kind, "allowance": amount, "assets": assets}


@transaction.atomic
def service_contract_create(*, actor: User, **values: Unpack[ContractValues]) -> ServiceContract:
    _require(actor)
    cleaned = _clean(dict(values), actor=actor)
    assets = cleaned.pop("assets")
    contract = ServiceContract.objects.create(number=next_number("SC"), **cleaned)
    contract.assets.set(assets)
    audit_event(instance=contract, action="created", actor=actor,
                data={"account": contract.account_id, "assets": [a.pk for a in assets]})
    return contract


@transaction.atomic
def service_contract_update(*, contract: ServiceContract, actor: User,
                            **values: Unpack[ContractValues]) -> ServiceContract:
    _require(actor)
    contract = ServiceContract.objects.select_for_update().get(pk=contract.pk)
    current: dict[str, Any] = {
        "account": contract.account, "sla_policy": contract.sla_policy,
        "starts_on": contract.starts_on, "ends_on": contract.ends_on,
        "allowance_kind": contract.allowance_kind, "allowance": contract.allowance,
        "assets": list(contract.assets.all()),
    }
    cleaned = _clean({**current, **values}, actor=actor)
    assets = cleaned.pop("assets")
    changed = [name for name, value in cleaned.items() if getattr(contract, name) != value]
    if "ends_on" in changed:
        contract.renewal_reminded_at = None  # a renewed period gets its own reminder
        changed.append("renewal_reminded_at")
    for name in changed:
        setattr(contract, name, cleaned.get(name, getattr(contract, name)))
    if changed:
        contract.save(update_fields=[*changed, "updated_at"])
    if {a.pk for a in assets} != {a.pk for a in current["assets"]}:
        contract.assets.set(assets)
        changed.append("assets")
    if changed:
        audit_event(instance=contract, action="updated", actor=actor, data={"fields": changed})
    return contract


# --- allowance --------------------------------------------------------------------------

@dataclass(frozen=True)
class DrawDown:
    contract: ServiceContract
    amount: Decimal
    used: Decimal
    remaining: Decimal | None
    exceeded: bool  # this draw-down took usage past the allowance


def contract_draw_down(*, contract: ServiceContract, amount: Decimal | int | str,
                       actor: User | None = None, note: str = "") -> DrawDown:
    """Add ``amount`` (visits or hours, as the contract counts) to the contract's usage,
    under a row lock. Usage may pass the allowance (the work was done): the account owner
    is told once, when it first does. Raises ValidationError for a contract without an
    allowance or an amount that is not positive."""
    try:
        value = Decimal(str(amount)) if not isinstance(amount, float | bool) else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0 or value > ALLOWANCE_LIMIT:
        raise ValidationError({"amount": _("Draw down a positive amount.")})
    value = value.quantize(Decimal("0.01"))
    with transaction.atomic():
        locked = (ServiceContract.objects.select_for_update(of=("self",))
                  .select_related("account__owner").get(pk=contract.pk))
        if not locked.allowance_kind or locked.allowance is None:
            raise ValidationError({"contract": _("This contract has no allowance.")})
        before = locked.used
        ServiceContract.objects.filter(pk=locked.pk).update(used=F("used") + value)
        locked.refresh_from_db(fields=["used"])
        exceeded = before <= locked.allowance < locked.used
        audit_event(instance=locked, action="allowance_drawn", actor=actor,
                    data={"amount": str(value), "used": str(locked.used), "note": note[:200]})
        if exceeded:
            notify(recipients=_owner_or_admins(locked.account), actor=None,
                   verb="service_contract.allowance_exceeded",
                   message=_("Contract %(number)s of %(account)s has used up its allowance "
                             "(%(used)s of %(allowance)s %(kind)s).") % {
                       "number": locked.number or locked.pk, "account": locked.account.name,
                       "used": locked.used, "allowance": locked.allowance,
                       "kind": locked.get_allowance_kind_display()},
                   target=locked, url=_contract_url(locked), email=True)
    contract.used = locked.used
    remaining = locked.allowance - locked.used
    return DrawDown(contract=locked, amount=value, used=locked.used,
                    remaining=remaining, exceeded=exceeded)


# --- renewal reminders ------------------------------------------------------------------

def _contract_url(contract: ServiceContract) -> str:
    from django.urls import reverse

    return reverse("crm_sla:contract_detail", args=[contract.pk])


def tenant_admins() -> list[User]:
    return list(User.objects.filter(kind=UserKind.STAFF, role=Role.ADMIN, is_active=True)
                .order_by("pk"))


def _owner_or_admins(account: Account) -> list[User]:
    owner = account.owner
    if owner is not None and owner.is_active:
        return [owner]
    return tenant_admins()


def contract_renewal_reminders_send(*, now: datetime | None = None) -> int:
    """Remind account owners of contracts ending within the tenant's reminder window, once
    per contract (``renewal_reminded_at``). Returns how many were sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    settings = SlaSettings.objects.order_by("pk").first()
    days = settings.renewal_reminder_days if settings is not None else 30
    due = list(ServiceContract.objects
               .filter(renewal_reminded_at__isnull=True, ends_on__gte=today,
                       ends_on__lte=today + timedelta(days=days))
               .values_list("pk", flat=True))
    sent = 0
    for pk in due:
        with transaction.atomic():
            contract = (ServiceContract.objects.select_for_update(skip_locked=True, of=("self",))
                        .select_related("account__owner")
                        .filter(pk=pk, renewal_reminded_at__isnull=True).first())
            if contract is None:
                continue
            notify(recipients=_owner_or_admins(contract.account), actor=None,
                   verb="service_contract.renewal_due",
                   message=_("Service contract %(number)s of %(account)s ends on %(ends)s: "
                             "time to renew.") % {
                       "number": contract.number or contract.pk,
                       "account": contract.account.name, "ends": contract.ends_on.isoformat()},
                   target=contract, url=_contract_url(contract), email=True)
            contract.renewal_reminded_at = now
            contract.save(update_fields=["renewal_reminded_at", "updated_at"])
            sent += 1
    return sent
