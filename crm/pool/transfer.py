"""Ownership transfer: when a rep leaves (or hands over a territory), move their accounts,
open opportunities, open leads and open tasks to someone else in one transaction.

Leads and opportunities belong to other apps: their models are resolved lazily through
``apps.get_model`` and skipped when the app is not installed. Every moved record gets an
audit entry (crm.core.audit); both people are notified.

Who may transfer: admins between anyone; a manager only between users they manage (the
members of the teams they manage, crm.core.visibility.managed_user_ids), so a manager can
neither list nor take another team's records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Account
from crm.accounts.services import account_owner_set
from crm.activities.models import Activity
from crm.core.audit import audit_event
from crm.core.notifications import notify
from crm.core.visibility import manages_user
from crm.pool.models import OwnershipChangeKind, PoolMembership
from crm.pool.services import drop_owner_team_row, record_ownership_change
from tenants.users.models import User
from tenants.users.permissions import Capability, can

# Lead statuses that are finished: such leads stay with whoever closed them.
CLOSED_LEAD_STATUSES = ("converted", "disqualified")


def may_transfer(user: User) -> bool:
    """May open the transfer page at all (admins and managers)."""
    return can(user, Capability.MANAGE_SETTINGS) or can(user, Capability.ASSIGN_RECORDS)


def may_transfer_between(actor: User, from_user: User, to_user: User | None = None) -> bool:
    """``actor`` manages both people (admins everyone)."""
    return (may_transfer(actor) and manages_user(actor, from_user)
            and (to_user is None or manages_user(actor, to_user)))


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


@dataclass
class TransferPlan:
    """What a transfer from ``from_user`` would move (the confirmation page shows it)."""

    accounts: models.QuerySet
    opportunities: models.QuerySet | None
    leads: models.QuerySet | None
    tasks: models.QuerySet

    def counts(self) -> dict[str, int]:
        return {
            "accounts": self.accounts.count(),
            "opportunities": self.opportunities.count() if self.opportunities is not None else 0,
            "leads": self.leads.count() if self.leads is not None else 0,
            "tasks": self.tasks.count(),
        }


def transfer_candidates(*, from_user: User) -> TransferPlan:
    """Everything ``from_user`` holds that a transfer can move."""
    opportunity = _model("crm_sales.Opportunity")
    lead = _model("crm_leads.Lead")
    return TransferPlan(
        accounts=Account.objects.filter(owner=from_user).order_by("name", "pk"),
        opportunities=(opportunity._base_manager.filter(owner=from_user, closed_at__isnull=True)
                       .order_by("pk") if opportunity else None),
        leads=(lead._base_manager.filter(owner=from_user)
               .exclude(status__in=CLOSED_LEAD_STATUSES).order_by("pk") if lead else None),
        tasks=Activity.objects.filter(owner=from_user, done_at__isnull=True).order_by("pk"),
    )


@dataclass
class TransferResult:
    accounts: list[int] = field(default_factory=list)
    opportunities: list[int] = field(default_factory=list)
    leads: list[int] = field(default_factory=list)
    tasks: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"accounts": len(self.accounts), "opportunities": len(self.opportunities),
                "leads": len(self.leads), "tasks": len(self.tasks)}


def _pick(queryset: models.QuerySet, ids: Sequence[int] | None, name: str) -> list[int]:
    """All candidate ids (``ids is None``) or exactly the chosen ones; a chosen id that the
    user does not hold fails the whole transfer."""
    available = list(queryset.select_for_update().values_list("pk", flat=True))
    if ids is None:
        return available
    chosen = {int(pk) for pk in ids}
    missing = chosen - set(available)
    if missing:
        raise ValidationError({name: _(
            "These records are not held by the person you transfer from: %(ids)s"
        ) % {"ids": ", ".join(str(pk) for pk in sorted(missing))}})
    return sorted(chosen)


def _move_owned(model: type[models.Model], ids: list[int], *, from_user: User, to_user: User,
                actor: User, reason: str) -> None:
    if not ids:
        return
    model._base_manager.filter(pk__in=ids).update(owner=to_user)
    for record in model._base_manager.filter(pk__in=ids):
        audit_event(instance=record, action="transfer", actor=actor,
                    changes={"owner": [from_user.pk, to_user.pk]}, data={"reason": reason})


@transaction.atomic
def ownership_transfer(
    *, from_user: User, to_user: User, actor: User, reason: str = "",
    account_ids: Sequence[int] | None = None, opportunity_ids: Sequence[int] | None = None,
    lead_ids: Sequence[int] | None = None, task_ids: Sequence[int] | None = None,
    now: datetime | None = None,
) -> TransferResult:
    """Move ``from_user``'s records to ``to_user``: for each kind, ``None`` means all of
    them and a list means exactly those. All or nothing; audited; both people are told."""
    if not may_transfer(actor):
        raise PermissionDenied(_("You may not transfer ownership."))
    if not manages_user(actor, from_user):
        raise ValidationError({"from_user": _("Choose a user of the teams you manage.")})
    if not manages_user(actor, to_user):
        raise ValidationError({"to_user": _("Choose a user of the teams you manage.")})
    if from_user.pk == to_user.pk:
        raise ValidationError({"to_user": _("Choose someone else to transfer to.")})
    if not (to_user.is_active and can(to_user, Capability.MANAGE_SALES)):
        raise ValidationError({"to_user": _("Choose an active sales user.")})
    now = now or timezone.now()
    reason = (reason or "").strip()[:500]
    plan = transfer_candidates(from_user=from_user)
    result = TransferResult(
        accounts=_pick(plan.accounts, account_ids, "accounts"),
        opportunities=(_pick(plan.opportunities, opportunity_ids, "opportunities")
                       if plan.opportunities is not None else []),
        leads=_pick(plan.leads, lead_ids, "leads") if plan.leads is not None else [],
        tasks=_pick(plan.tasks, task_ids, "tasks"),
    )
    for account in Account.objects.filter(pk__in=result.accounts).order_by("pk"):
        account_owner_set(account=account, actor=actor, owner=to_user)
        drop_owner_team_row(account, from_user.pk)
        membership = PoolMembership.objects.filter(account=account).select_related("pool").first()
        if membership is not None:
            membership.owner_since, membership.warned_deadline = now, None
            membership.save(update_fields=["owner_since", "warned_deadline"])
        record_ownership_change(account=account, pool=membership.pool if membership else None,
                kind=OwnershipChangeKind.TRANSFER, from_user_id=from_user.pk, to_user=to_user,
                actor=actor, reason=reason or _("Ownership transfer"), at=now)
    if plan.opportunities is not None:
        _move_owned(plan.opportunities.model, result.opportunities, from_user=from_user,
                    to_user=to_user, actor=actor, reason=reason)
    if plan.leads is not None:
        _move_owned(plan.leads.model, result.leads, from_user=from_user, to_user=to_user,
                    actor=actor, reason=reason)
    if result.tasks:
        Activity.objects.filter(pk__in=result.tasks).update(owner=to_user, updated_at=now)
    counts = result.counts()
    audit_event(instance=from_user, action="ownership_transfer", actor=actor,
                data={"to_user": to_user.pk, "reason": reason, **counts,
                      "account_ids": result.accounts})
    summary = _("%(accounts)s accounts, %(opportunities)s opportunities, %(leads)s leads and "
                "%(tasks)s open tasks") % counts
    notify(recipients=[to_user], actor=actor, verb="ownership_transfer", target=None,
           message=_("%(who)s transferred %(summary)s from %(from)s to you.") % {
               "who": actor.display_name, "summary": summary, "from": from_user.display_name},
           email=True)
    notify(recipients=[from_user], actor=actor, verb="ownership_transfer", target=None,
           message=_("%(who)s transferred %(summary)s from you to %(to)s.") % {
               "who": actor.display_name, "summary": summary, "to": to_user.display_name},
           email=True)
    return result
