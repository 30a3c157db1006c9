"""Receivables commands: an order's payment schedule, payments against it, the reminders
before and after due dates, and the tenant's reminder days.

Rules (issue 9):
- A schedule's instalments add up EXACTLY to the order total, each a whole amount of the
  order's currency (no 10.5 JPY); ``split_amount`` shares a total out in N instalments by
  the totals' rounding rule (half up to the minor unit), the remainder on the last.
- A payment is a positive whole amount paid on a day that is not in the future, against an
  approved order that has a schedule; against an instalment (at most what it still owes) or,
  when none is named, spread oldest-first over the open instalments (at most what the order
  still owes). Nobody over-pays an order.
- Only finance (``Capability.MANAGE_FINANCE``, admins) records payments; whoever may edit a
  visible order sets its schedule (the adapters fetch the order through the selectors).
- Reminders go to the order's owner and to finance once per instalment before the due date
  and once after it, on the tenant-set days, in the tenant's time zone.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.core.events import emit
from crm.core.money import is_whole_money, quantum, round_money, to_decimal
from crm.core.notifications import notify
from crm.orders.models import Order
from crm.receivables.models import Instalment, Payment, PaymentAllocation, ReceivablesSettings
from crm.receivables.selectors import (
    RECEIVABLE_STATUSES,
    SCHEDULABLE_STATUSES,
    finance_users,
    receivables_settings_get,
    reminders_due_after,
    reminders_due_before,
    tenant_today,
)
from tenants.users.models import User
from tenants.users.permissions import Capability, can

MAX_INSTALMENTS = 120
MONEY_LIMIT = Decimal("1e12")


@dataclass(frozen=True)
class InstalmentInput:
    due_on: date
    amount: Decimal
    label: str = ""
    # An existing instalment of the order to keep (and change); None: a new one.
    id: int | None = None


def split_amount(*, total: Decimal, count: int, currency: str) -> list[Decimal]:
    """``total`` in ``count`` instalments: each the share rounded half up to the currency's
    minor unit, the last taking the remainder, so the parts add up to ``total`` exactly.

    Where rounding up would leave the last part negative (tiny totals in many parts, such as
    0.10 in 12), the shares are rounded down instead and the last takes the larger rest."""
    if count < 1 or count > MAX_INSTALMENTS:
        raise ValidationError({"count": _("Choose between 1 and %(max)s instalments.")
                               % {"max": MAX_INSTALMENTS}})
    total = round_money(total, currency)
    if total < 0:
        raise ValidationError({"total": _("The amount cannot be negative.")})
    share = round_money(total / count, currency)
    last = total - share * (count - 1)
    if last < 0:
        share = (total / count).quantize(quantum(currency), rounding=ROUND_DOWN)
        last = total - share * (count - 1)
    return [share] * (count - 1) + [last]


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule_split(*, order: Order, count: int, first_due_on: date,
                   months_between: int = 1) -> list[InstalmentInput]:
    """``count`` instalments of the order's total, the first due on ``first_due_on`` and
    each next one ``months_between`` months later (not saved: pass to ``schedule_set``)."""
    if months_between < 0 or months_between > 24:
        raise ValidationError({"months_between": _("Choose between 0 and 24 months.")})
    amounts = split_amount(total=order.total, count=count, currency=order.currency)
    return [InstalmentInput(due_on=_add_months(first_due_on, index * months_between),
                            amount=amount,
                            label=_("Instalment %(number)s of %(count)s")
                            % {"number": index + 1, "count": count})
            for index, amount in enumerate(amounts)]


def _clean_amount(value: Any, *, field: str, currency: str) -> Decimal:
    amount = to_decimal(value, field=field)
    if amount >= MONEY_LIMIT:
        raise ValidationError({field: _("The amount is too large.")})
    if not is_whole_money(amount, currency):
        raise ValidationError({field: _("%(currency)s amounts have no digits below its minor "
                                        "unit.") % {"currency": currency}})
    return amount


def _lock_order(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("account", "owner").get(
        pk=order.pk)


@transaction.atomic
def schedule_set(*, order: Order, instalments: Sequence[InstalmentInput], actor: User
                 ) -> list[Instalment]:
    """Replace the order's payment schedule with ``instalments``.

    They must add up exactly to the order total. An instalment that has payments is kept
    (name its ``id``) and cannot go below what has been paid on it; the others are replaced.
    """
    if not can(actor, Capability.EDIT_RECORDS):
        raise PermissionDenied(_("You may not change payment schedules."))
    order = _lock_order(order)
    if order.status not in SCHEDULABLE_STATUSES:
        raise ValidationError(_("A cancelled or superseded order has no payment schedule."))
    if not instalments:
        raise ValidationError({"instalments": _("A schedule needs at least one instalment.")})
    if len(instalments) > MAX_INSTALMENTS:
        raise ValidationError({"instalments": _("At most %(max)s instalments.")
                               % {"max": MAX_INSTALMENTS}})
    currency = order.currency
    existing = {item.pk: item for item in order.instalments.select_for_update()}
    kept_ids: set[int] = set()
    cleaned: list[tuple[InstalmentInput, Decimal]] = []
    for number, item in enumerate(instalments, start=1):
        amount = _clean_amount(item.amount, field="amount", currency=currency)
        if amount <= 0:
            raise ValidationError({"amount": _("Instalment %(number)s: the amount must be "
                                               "more than zero.") % {"number": number}})
        if not isinstance(item.due_on, date):
            raise ValidationError({"due_on": _("Enter a due date.")})
        if item.id is not None:
            current = existing.get(item.id)
            if current is None or item.id in kept_ids:
                raise ValidationError({"id": _("Instalment %(number)s is not one of this "
                                               "order's.") % {"number": number}})
            if amount < current.paid_amount:
                raise ValidationError({"amount": _(
                    "Instalment %(number)s cannot be less than the %(paid)s paid on it.")
                    % {"number": number, "paid": round_money(current.paid_amount, currency)}})
            kept_ids.add(item.id)
        cleaned.append((item, amount))
    scheduled = sum((amount for _item, amount in cleaned), Decimal(0))
    if scheduled != order.total:
        raise ValidationError({"instalments": _(
            "The instalments add up to %(scheduled)s; the order total is %(total)s.")
            % {"scheduled": round_money(scheduled, currency),
               "total": round_money(order.total, currency)}})
    dropped = [item for pk, item in existing.items() if pk not in kept_ids]
    if any(item.paid_amount > 0 for item in dropped):
        raise ValidationError({"instalments": _(
            "Keep the instalments that have payments (name their id).")})
    Instalment.objects.filter(pk__in=[item.pk for item in dropped]).delete()
    saved: list[Instalment] = []
    for position, (item, amount) in enumerate(cleaned, start=1):
        if item.id is not None:
            instalment = existing[item.id]
            changed_due = instalment.due_on != item.due_on
            instalment.position, instalment.label = position, item.label.strip()[:100]
            instalment.due_on, instalment.amount = item.due_on, amount
            if changed_due:  # a new due date earns its reminders again
                instalment.reminded_before_at = instalment.reminded_after_at = None
            instalment.save()
        else:
            instalment = Instalment.objects.create(
                order=order, position=position, label=item.label.strip()[:100],
                due_on=item.due_on, amount=amount)
        saved.append(instalment)
    audit_event(instance=order, action="schedule.set", actor=actor, data={
        "instalments": [{"due_on": i.due_on.isoformat(),
                         "amount": str(round_money(i.amount, currency))} for i in saved]})
    return sorted(saved, key=lambda i: (i.due_on, i.position, i.pk))


def _open_amount(instalment: Instalment) -> Decimal:
    return instalment.amount - instalment.paid_amount


@transaction.atomic
def payment_record(*, order: Order, amount: Any, paid_on: date, actor: User,
                   instalment: Instalment | None = None, reference: str = "") -> Payment:
    """Record a payment of ``amount`` received on ``paid_on`` for ``order``: against
    ``instalment``, or oldest-first over the open instalments. Never more than is owed."""
    if not can(actor, Capability.MANAGE_FINANCE):
        raise PermissionDenied(_("Only finance records payments."))
    order = _lock_order(order)
    currency = order.currency
    value = _clean_amount(amount, field="amount", currency=currency)
    if value <= 0:
        raise ValidationError({"amount": _("A payment is more than zero.")})
    if not isinstance(paid_on, date):
        raise ValidationError({"paid_on": _("Enter the day it was paid.")})
    if paid_on > tenant_today():
        raise ValidationError({"paid_on": _("A payment cannot be dated in the future.")})
    if order.status not in RECEIVABLE_STATUSES:
        raise ValidationError(_("Payments are recorded against approved orders."))
    open_instalments = list(order.instalments.select_for_update()
                            .filter(paid_amount__lt=F("amount"))
                            .order_by("due_on", "position", "pk"))
    if instalment is not None:
        target = next((i for i in open_instalments if i.pk == instalment.pk), None)
        if target is None:
            if not order.instalments.filter(pk=instalment.pk).exists():
                raise ValidationError({"instalment": _("That instalment is not one of this "
                                                       "order's.")})
            raise ValidationError({"instalment": _("That instalment is paid in full.")})
        if value > _open_amount(target):
            raise ValidationError({"amount": _(
                "The instalment owes %(open)s; a payment cannot be more.")
                % {"open": round_money(_open_amount(target), currency)}})
        shares = [(target, value)]
    else:
        if not order.instalments.exists():
            raise ValidationError(_("Set the order's payment schedule first."))
        owed = sum((_open_amount(i) for i in open_instalments), Decimal(0))
        if value > owed:
            raise ValidationError({"amount": _(
                "The order owes %(open)s; a payment cannot be more.")
                % {"open": round_money(owed, currency)}})
        shares, left = [], value
        for item in open_instalments:
            if left <= 0:
                break
            part = min(left, _open_amount(item))
            shares.append((item, part))
            left -= part
    payment = Payment.objects.create(order=order, instalment=instalment, amount=value,
                                     paid_on=paid_on, reference=reference.strip()[:100],
                                     recorded_by=actor)
    PaymentAllocation.objects.bulk_create([
        PaymentAllocation(payment=payment, instalment=item, amount=part)
        for item, part in shares])
    for item, part in shares:
        Instalment.objects.filter(pk=item.pk).update(paid_amount=F("paid_amount") + part)
    outstanding = order.total - sum(
        (i.paid_amount for i in order.instalments.all()), Decimal(0))
    data = {"payment": payment.pk, "order": order.pk, "order_number": order.display_number,
            "account": order.account_id, "amount": str(round_money(value, currency)),
            "currency": currency, "paid_on": paid_on.isoformat(),
            "instalments": [item.pk for item, _part in shares],
            "outstanding": str(round_money(outstanding, currency))}
    audit_event(instance=order, action="payment.recorded", actor=actor, data=data)
    emit("payment.recorded", data=data)
    if order.owner is not None:
        notify(recipients=[order.owner], actor=actor, verb="payment",
               message=_("Payment of %(amount)s %(currency)s received for %(order)s "
                         "(%(account)s).") % {"amount": round_money(value, currency),
                                              "currency": currency,
                                              "order": order.display_number,
                                              "account": order.account.name},
               target=order, url=_order_url(order))
    return payment


def _order_url(order: Order) -> str:
    return reverse("crm_receivables:order_receivables", kwargs={"order_id": order.pk})


@transaction.atomic
def receivables_settings_update(*, actor: User, remind_days_before: int | None,
                                remind_days_after: int | None) -> ReceivablesSettings:
    """Set the tenant's reminder days (empty: no such reminder)."""
    if not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied(_("Only administrators change the reminder days."))
    for field, value, limit in (("remind_days_before", remind_days_before, 90),
                                ("remind_days_after", remind_days_after, 365)):
        if value is not None and not 0 <= value <= limit:
            raise ValidationError({field: _("Choose between 0 and %(limit)s days.")
                                   % {"limit": limit}})
    row = receivables_settings_get()
    old = (row.remind_days_before, row.remind_days_after)
    row.remind_days_before, row.remind_days_after = remind_days_before, remind_days_after
    row.save()
    audit_event(instance=None, action="settings.receivables", actor=actor, changes={
        "remind_days_before": [old[0], remind_days_before],
        "remind_days_after": [old[1], remind_days_after]})
    return row


@dataclass(frozen=True)
class ReminderResult:
    before: int
    after: int


def _remind(batch: list[Instalment], *, after: bool, today: date, now: datetime) -> None:
    finance = list(finance_users())
    for instalment in batch:
        order = instalment.order
        currency = order.currency
        values = {"order": order.display_number, "account": order.account.name,
                  "amount": round_money(instalment.amount - instalment.paid_amount, currency),
                  "currency": currency, "due": instalment.due_on.isoformat(),
                  "days": (today - instalment.due_on).days}
        if after:
            message = _("Overdue: %(amount)s %(currency)s of %(order)s (%(account)s) was due "
                        "on %(due)s, %(days)s days ago.") % values
        else:
            message = _("Due soon: %(amount)s %(currency)s of %(order)s (%(account)s) is due "
                        "on %(due)s.") % values
        recipients = [*finance, *([order.owner] if order.owner is not None else [])]
        notify(recipients=recipients, actor=None, verb="receivable_overdue" if after
               else "receivable_due", message=message, target=order, url=_order_url(order),
               email=True)
    field = "reminded_after_at" if after else "reminded_before_at"
    Instalment.objects.filter(pk__in=[i.pk for i in batch]).update(**{field: now})


def receivable_reminders_send(*, now: datetime | None = None, batch_size: int = 200
                              ) -> ReminderResult:
    """Remind the owner and finance of instalments coming due (``remind_days_before``) and
    still open after their due date (``remind_days_after``). Each reminder goes out once per
    instalment (``reminded_before_at``/``reminded_after_at`` set in the same transaction;
    rows a concurrent run holds are skipped). Safe to run as often as beat likes."""
    now = now or timezone.now()
    today = tenant_today(now)
    settings_row = receivables_settings_get()
    counts = {"before": 0, "after": 0}
    plans = []
    if settings_row.remind_days_before is not None:
        plans.append(("before", reminders_due_before(
            today=today, days_before=settings_row.remind_days_before)))
    if settings_row.remind_days_after is not None:
        plans.append(("after", reminders_due_after(
            today=today, days_after=settings_row.remind_days_after)))
    for kind, queryset in plans:
        while True:
            with transaction.atomic():
                batch = list(queryset.select_for_update(skip_locked=True, of=("self",))
                             .select_related("order", "order__account", "order__owner")
                             .order_by("due_on", "pk")[:batch_size])
                if not batch:
                    break
                _remind(batch, after=kind == "after", today=today, now=now)
                counts[kind] += len(batch)
    return ReminderResult(before=counts["before"], after=counts["after"])
