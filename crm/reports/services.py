"""Writes of the reports app: exchange rates (admins) and sales targets (admins; managers
for the teams they manage and those teams' members). Every write is audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.core.models import Team
from crm.core.money import currency_is_known, round_money
from crm.reports.currency import workspace_currency
from crm.reports.models import ExchangeRate, SalesTarget
from crm.reports.selectors import target_editable_rep_ids, target_editable_team_ids
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

MAX_RATE = Decimal("1e9")


def _require_settings(actor: User) -> None:
    if not (can(actor, Capability.USE_CRM) and can(actor, Capability.MANAGE_SETTINGS)):
        raise PermissionDenied(_("Only an administrator may change exchange rates."))


def _clean_rate(*, currency: str, rate: Any, valid_from: Any) -> tuple[str, Decimal, date]:
    errors: dict[str, list[str]] = {}
    code = (currency or "").strip().upper()
    if not currency_is_known(code):
        errors["currency"] = [_("Enter a known ISO 4217 currency code (e.g. EUR).")]
    elif code == workspace_currency():
        errors["currency"] = [_("This is the workspace currency: it needs no rate.")]
    try:
        value = Decimal(str(rate))
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors["rate"] = [_("Enter a number.")]
        value = Decimal(0)
    else:
        if value <= 0:
            errors["rate"] = [_("The rate must be greater than zero.")]
        elif value >= MAX_RATE or value != value.quantize(Decimal("1e-10")):
            errors["rate"] = [_("Enter a rate below 1,000,000,000 with at most ten "
                                "decimal places.")]
    if not isinstance(valid_from, date):
        errors["valid_from"] = [_("Enter a date.")]
    if errors:
        raise ValidationError(errors)
    return code, value, valid_from


def _clash(*, currency: str, valid_from: date, exclude: int | None = None) -> None:
    clash = ExchangeRate.objects.filter(currency=currency, valid_from=valid_from)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"valid_from": [
            _("There is already a rate for this currency from this day.")]})


@transaction.atomic
def exchange_rate_create(*, currency: str, rate: Decimal, valid_from: date,
                         actor: User) -> ExchangeRate:
    """``1 currency = rate x workspace currency`` from ``valid_from`` on."""
    _require_settings(actor)
    code, value, day = _clean_rate(currency=currency, rate=rate, valid_from=valid_from)
    _clash(currency=code, valid_from=day)
    exchange_rate = ExchangeRate.objects.create(currency=code, rate=value, valid_from=day,
                                                created_by=actor)
    audit_event(instance=exchange_rate, action="settings.exchange_rate.create", actor=actor,
                data={"currency": code, "rate": value, "valid_from": day})
    return exchange_rate


@transaction.atomic
def exchange_rate_update(*, exchange_rate: ExchangeRate, actor: User, currency: str,
                         rate: Decimal, valid_from: date) -> ExchangeRate:
    _require_settings(actor)
    code, value, day = _clean_rate(currency=currency, rate=rate, valid_from=valid_from)
    locked = ExchangeRate.objects.select_for_update().get(pk=exchange_rate.pk)
    _clash(currency=code, valid_from=day, exclude=locked.pk)
    changes = {name: [str(old), str(new)] for name, old, new in (
        ("currency", locked.currency, code), ("rate", locked.rate, value),
        ("valid_from", locked.valid_from, day)) if old != new}
    locked.currency, locked.rate, locked.valid_from = code, value, day
    locked.save(update_fields=["currency", "rate", "valid_from"])
    audit_event(instance=locked, action="settings.exchange_rate.update", actor=actor,
                changes=changes)
    return locked


@transaction.atomic
def exchange_rate_delete(*, exchange_rate: ExchangeRate, actor: User) -> None:
    _require_settings(actor)
    audit_event(instance=exchange_rate, action="settings.exchange_rate.delete", actor=actor,
                data={"currency": exchange_rate.currency, "rate": exchange_rate.rate,
                      "valid_from": exchange_rate.valid_from})
    exchange_rate.delete()


# --- sales targets ---------------------------------------------------------------------------

def _check_target_subject(*, actor: User, rep: User | None, team: Team | None) -> None:
    if (rep is None) == (team is None):
        raise ValidationError({"rep": [_("Set a target for one rep or one team.")]})
    if not can(actor, Capability.USE_CRM):
        raise PermissionDenied
    if rep is not None:
        if rep.kind != UserKind.STAFF or not rep.is_active:
            raise ValidationError({"rep": [_("Choose an active staff member.")]})
        allowed = target_editable_rep_ids(actor)
        if allowed is not None and rep.pk not in allowed:
            raise PermissionDenied(_("You may set targets only for the reps of the teams "
                                     "you manage."))
    if team is not None:
        if team.archived_at is not None:
            raise ValidationError({"team": [_("This team is archived.")]})
        allowed = target_editable_team_ids(actor)
        if allowed is not None and team.pk not in allowed:
            raise PermissionDenied(_("You may set targets only for the teams you manage."))


def _clean_target(*, month: Any, amount: Any, currency: str | None
                  ) -> tuple[date, Decimal, str]:
    errors: dict[str, list[str]] = {}
    code = (currency or "").strip().upper() or workspace_currency()
    if not currency_is_known(code):
        errors["currency"] = [_("Enter a known ISO 4217 currency code (e.g. EUR).")]
    if not isinstance(month, date) or not 1970 <= month.year <= 2999:
        errors["month"] = [_("Enter a month between 1970 and 2999.")]
    try:
        value = Decimal(str(amount))
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors["amount"] = [_("Enter an amount.")]
        value = Decimal(0)
    else:
        if value < 0:
            errors["amount"] = [_("A target cannot be negative.")]
        elif value >= Decimal("1e14"):
            errors["amount"] = [_("This amount is too large.")]
    if errors:
        raise ValidationError(errors)
    assert isinstance(month, date)
    return month.replace(day=1), round_money(value, code), code


@transaction.atomic
def sales_target_set(*, actor: User, month: date, amount: Decimal, rep: User | None = None,
                     team: Team | None = None, currency: str | None = None) -> SalesTarget:
    """Create or replace the target of ``rep`` or ``team`` for ``month`` (any day of it)."""
    _check_target_subject(actor=actor, rep=rep, team=team)
    first, value, code = _clean_target(month=month, amount=amount, currency=currency)
    subject: dict[str, User | Team | None] = {"rep": rep} if rep is not None else {"team": team}
    target = SalesTarget.objects.select_for_update().filter(month=first, **subject).first()
    before = (str(target.amount), target.currency) if target else None
    if target is None:
        target = SalesTarget.objects.create(month=first, amount=value, currency=code,
                                            updated_by=actor, **subject)
    else:
        target.amount, target.currency, target.updated_by = value, code, actor
        target.save(update_fields=["amount", "currency", "updated_by", "updated_at"])
    audit_event(instance=target, action="sales_target.set", actor=actor,
                data={"month": first, "rep": rep.pk if rep else None,
                      "team": team.pk if team else None, "amount": value, "currency": code,
                      "before": before})
    return target


@transaction.atomic
def sales_target_update(*, target: SalesTarget, actor: User, amount: Decimal,
                        currency: str | None = None, month: date | None = None
                        ) -> SalesTarget:
    _check_target_subject(actor=actor, rep=target.rep, team=target.team)
    first, value, code = _clean_target(month=month or target.month, amount=amount,
                                       currency=currency or target.currency)
    clash = SalesTarget.objects.filter(month=first, rep=target.rep, team=target.team
                                       ).exclude(pk=target.pk)
    if clash.exists():
        raise ValidationError({"month": [_("There is already a target for this month.")]})
    target.month, target.amount, target.currency, target.updated_by = first, value, code, actor
    target.save(update_fields=["month", "amount", "currency", "updated_by", "updated_at"])
    audit_event(instance=target, action="sales_target.update", actor=actor,
                data={"month": first, "amount": value, "currency": code})
    return target


@transaction.atomic
def sales_target_delete(*, target: SalesTarget, actor: User) -> None:
    _check_target_subject(actor=actor, rep=target.rep, team=target.team)
    audit_event(instance=target, action="sales_target.delete", actor=actor,
                data={"month": target.month, "rep": target.rep_id, "team": target.team_id,
                      "amount": target.amount, "currency": target.currency})
    target.delete()
