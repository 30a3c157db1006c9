"""The one writer of ``Tenant.status``.

Operators, billing, provisioning and scheduled work all move a tenant's status through
``tenant_status_transition``: it locks the row, checks the transition against
``ALLOWED_TRANSITIONS`` for the cause, saves, and records a ``TenantStatusChange`` in the
same transaction. Rules the table alone cannot express:

- billing (Stripe) never lifts a suspension an operator made: out of ``suspended`` billing
  may only move a tenant that billing itself suspended;
- only an operator archives, and only an operator brings a tenant out of ``archived``;
- reactivation (``reactivation_target``) never makes a tenant active without a live
  subscription: back to ``trial`` while the trial runs, else the status the subscription
  calls for, else it stays (or, from archived, becomes) suspended.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.models import StatusCause, Tenant, TenantKind, TenantStatus, TenantStatusChange
from tenants.users.models import User
from tenants.users.permissions import is_operator

S = TenantStatus
OPERATOR, BILLING, PROVISIONING, SYSTEM = (
    StatusCause.OPERATOR, StatusCause.BILLING, StatusCause.PROVISIONING, StatusCause.SYSTEM,
)

# (from, to) -> the causes that may make that move. Anything absent is refused.
ALLOWED_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.PROVISIONING, S.TRIAL): frozenset({PROVISIONING}),
    # Billing's facts about a subscription.
    (S.TRIAL, S.ACTIVE): frozenset({BILLING}),
    (S.TRIAL, S.PAST_DUE): frozenset({BILLING}),
    (S.TRIAL, S.READ_ONLY): frozenset({BILLING, SYSTEM}),  # trial ended unpaid
    (S.ACTIVE, S.PAST_DUE): frozenset({BILLING}),
    (S.ACTIVE, S.READ_ONLY): frozenset({BILLING}),
    (S.PAST_DUE, S.ACTIVE): frozenset({BILLING}),
    (S.PAST_DUE, S.READ_ONLY): frozenset({BILLING, SYSTEM}),  # grace period ended
    (S.READ_ONLY, S.ACTIVE): frozenset({BILLING, OPERATOR}),
    (S.READ_ONLY, S.PAST_DUE): frozenset({BILLING, OPERATOR}),  # paid / grace extended
    (S.READ_ONLY, S.TRIAL): frozenset({OPERATOR}),
    # Suspension: by an operator, or by billing when the subscription is cancelled.
    (S.TRIAL, S.SUSPENDED): frozenset({OPERATOR, BILLING}),
    (S.ACTIVE, S.SUSPENDED): frozenset({OPERATOR, BILLING}),
    (S.PAST_DUE, S.SUSPENDED): frozenset({OPERATOR, BILLING}),
    (S.READ_ONLY, S.SUSPENDED): frozenset({OPERATOR, BILLING}),
    # Out of a suspension: operators (reactivation), billing only for its own suspension.
    (S.SUSPENDED, S.TRIAL): frozenset({OPERATOR}),
    (S.SUSPENDED, S.ACTIVE): frozenset({OPERATOR, BILLING}),
    (S.SUSPENDED, S.PAST_DUE): frozenset({OPERATOR, BILLING}),
    (S.SUSPENDED, S.READ_ONLY): frozenset({OPERATOR, BILLING}),
    # Archive: operators only, both ways.
    (S.TRIAL, S.ARCHIVED): frozenset({OPERATOR}),
    (S.ACTIVE, S.ARCHIVED): frozenset({OPERATOR}),
    (S.PAST_DUE, S.ARCHIVED): frozenset({OPERATOR}),
    (S.READ_ONLY, S.ARCHIVED): frozenset({OPERATOR}),
    (S.SUSPENDED, S.ARCHIVED): frozenset({OPERATOR}),
    (S.ARCHIVED, S.TRIAL): frozenset({OPERATOR}),
    (S.ARCHIVED, S.ACTIVE): frozenset({OPERATOR}),
    (S.ARCHIVED, S.PAST_DUE): frozenset({OPERATOR}),
    (S.ARCHIVED, S.READ_ONLY): frozenset({OPERATOR}),
    (S.ARCHIVED, S.SUSPENDED): frozenset({OPERATOR}),
}

# Subscription states (Stripe's) that count as a live, paying subscription.
_PAYING = frozenset({"active", "trialing"})
_OWING = frozenset({"past_due", "unpaid"})


class StatusTransitionError(Exception):
    """The transition is not allowed for this cause; the message is for an operator."""


@dataclass(frozen=True)
class Transition:
    tenant: Tenant
    before: str
    after: str
    changed: bool


def transition_allowed(*, from_status: str, to_status: str, cause: str) -> bool:
    """The table's answer alone (without the rule on operator suspensions)."""
    return cause in ALLOWED_TRANSITIONS.get((from_status, to_status), frozenset())


def suspension_cause(tenant: Tenant) -> str | None:
    """Who caused the tenant's current suspension (None when it is not suspended, or when
    no recorded change led there, e.g. data set by hand: then it counts as an operator's)."""
    if tenant.status != S.SUSPENDED:
        return None
    last = tenant.status_changes.order_by("-created_at", "-id").first()
    if last is None or last.to_status != S.SUSPENDED:
        return OPERATOR
    return last.cause


def tenant_status_transition(
    *,
    tenant: Tenant,
    to: str,
    cause: str,
    actor: User | None = None,
    actor_email: str = "",
    reason: str = "",
) -> Transition:
    """Move ``tenant`` to ``to`` (row locked, change recorded, one transaction).

    Moving to the status it already has changes nothing (``changed`` is False). A move the
    table or the rules refuse raises StatusTransitionError and changes nothing.
    """
    if cause not in StatusCause.values:
        raise StatusTransitionError(_("Unknown cause of a status change: %s") % cause)
    if to not in S.values:
        raise StatusTransitionError(_("Unknown status: %s") % to)
    if cause == OPERATOR and not is_operator(actor):  # type: ignore[arg-type]
        raise StatusTransitionError(_("Only platform operators can change this status."))
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        before = locked.status
        # Warm spares have a status too ("provisioning" -> "trial" means ready), set only
        # by provisioning; the public and template rows have none to change.
        spare_ready = locked.kind == TenantKind.SPARE and cause == PROVISIONING
        if locked.kind != TenantKind.CUSTOMER and not spare_ready:
            raise StatusTransitionError(_("Only customer workspaces have a status to change."))
        if before == to:
            tenant.status = before
            return Transition(tenant=locked, before=before, after=to, changed=False)
        if not transition_allowed(from_status=before, to_status=to, cause=cause):
            raise StatusTransitionError(
                _("A workspace cannot go from %(before)s to %(after)s by %(cause)s.")
                % {"before": S(before).label, "after": S(to).label,
                   "cause": StatusCause(cause).label}
            )
        if cause == BILLING and before == S.SUSPENDED and suspension_cause(locked) != BILLING:
            raise StatusTransitionError(
                _("Billing does not lift a suspension it did not make.")
            )
        locked.status = to
        locked.save(update_fields=["status", "updated_at"])
        if spare_ready:  # not a customer's history: nothing to record
            tenant.status = to
            return Transition(tenant=locked, before=before, after=to, changed=True)
        TenantStatusChange.objects.create(
            tenant=locked, from_status=before, to_status=to, cause=cause,
            actor=actor if actor is not None and actor.pk else None,
            actor_email=actor_email or (actor.email if actor is not None else ""),
            reason=reason[:2000],
        )
    tenant.status = to
    return Transition(tenant=locked, before=before, after=to, changed=True)


@dataclass(frozen=True)
class ReactivationPlan:
    """Where reactivation takes a tenant, and why (the message is for the operator)."""

    to: str
    message: str
    subscription_missing: bool = False


def reactivation_target(
    *, tenant: Tenant, subscription_status: str, grace_ends_at: datetime | None,
    now: datetime | None = None,
) -> ReactivationPlan:
    """The status a reactivated tenant returns to. Never ``active`` without a paying
    subscription: a running trial returns to trial; an owing subscription to past_due (or
    read_only once its grace period ended); nothing at all keeps it suspended."""
    now = now or timezone.now()
    if subscription_status in _PAYING:
        return ReactivationPlan(S.ACTIVE, _("Reactivated: the subscription is paid."))
    if tenant.trial_ends_at and tenant.trial_ends_at > now:
        return ReactivationPlan(S.TRIAL, _("Reactivated: back to the running trial."))
    if subscription_status in _OWING:
        if grace_ends_at and grace_ends_at <= now:
            return ReactivationPlan(
                S.READ_ONLY, _("Reactivated as read-only: the invoice is unpaid and the "
                               "grace period has ended."))
        return ReactivationPlan(
            S.PAST_DUE, _("Reactivated as past due: an invoice is unpaid."))
    return ReactivationPlan(
        S.SUSPENDED,
        _("The workspace has no subscription and its trial has ended, so it stays suspended. "
          "Its administrators can still sign in and subscribe under Settings > Billing; "
          "reactivate it again once they have."),
        subscription_missing=True,
    )
