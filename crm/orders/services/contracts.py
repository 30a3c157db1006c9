"""Contract renewal reminders: once per contract and renewal date, ``renewal_lead_days``
(tenant setting) ahead of the renewal date, to the owner (in-app, e-mailed after commit).
Celery beat runs ``contract_renewal_reminders_send`` daily in every tenant; a second run the
same day sends nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.core.notifications import notify
from crm.orders.models import Order, OrderKind
from crm.orders.selectors import IN_FORCE, order_settings_get
from crm.orders.services.approval import order_url


@dataclass(frozen=True)
class RenewalRun:
    reminded: int


def contracts_due_for_reminder(*, today: date) -> list[Order]:
    lead = order_settings_get().renewal_lead_days
    return list(Order.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(kind=OrderKind.CONTRACT, status__in=IN_FORCE,
                        renewal_on__isnull=False, renewal_reminded_at__isnull=True,
                        renewal_on__gte=today, renewal_on__lte=today + timedelta(days=lead))
                .select_related("owner", "account").order_by("renewal_on", "pk"))


@transaction.atomic
def contract_renewal_reminders_send(*, today: date | None = None) -> RenewalRun:
    """Remind each contract's owner once ahead of its renewal date."""
    today = today or timezone.localdate()
    now = timezone.now()
    reminded = 0
    for contract in contracts_due_for_reminder(today=today):
        contract.renewal_reminded_at = now
        contract.save(update_fields=["renewal_reminded_at"])
        if contract.owner is not None:
            notify(recipients=[contract.owner], actor=None, verb="order.renewal_due",
                   message=_("Contract %(number)s with %(account)s renews on %(date)s.")
                   % {"number": contract.display_number, "account": contract.account.name,
                      "date": contract.renewal_on.isoformat() if contract.renewal_on else ""},
                   target=contract, url=order_url(contract), email=True)
        audit_event(instance=contract, action="order.renewal_reminded", actor=None,
                    data={"renewal_on": contract.renewal_on, "owner": contract.owner_id})
        reminded += 1
    return RenewalRun(reminded=reminded)
