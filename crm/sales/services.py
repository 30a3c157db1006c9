"""Sales commands: opportunities, stage moves gated by key actions, pipeline settings.

Every function is keyword-only, runs in one transaction and takes the acting user. Bad input
raises django.core.exceptions.ValidationError with field errors (forms show them, the API
answers 400); a missing right raises PermissionDenied.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Account, Contact
from crm.core.audit import audit_changes, audit_event, audit_snapshot
from crm.core.events import emit
from crm.core.ownership import check_new_owner, owner_change_refused
from crm.sales.models import (
    KeyAction,
    Opportunity,
    OpportunityContact,
    OpportunityKeyAction,
    OpportunityTeamMember,
    OpportunityTeamRole,
    Pipeline,
    Stage,
    StageHistory,
)
from tenants.users.models import User
from tenants.users.permissions import Capability, can

AUDITED_FIELDS = (
    "name", "amount", "currency", "close_date", "pipeline", "stage", "probability",
    "probability_overridden", "owner", "competitors", "next_step", "lost_reason", "closed_at",
    "account",
)
# Fields opportunity_update accepts (stage moves go through opportunity_move_stage).
UPDATABLE_FIELDS = frozenset({
    "name", "amount", "currency", "close_date", "probability", "owner", "competitors",
    "next_step", "lost_reason",
})



class OpportunityChanges(TypedDict, total=False):
    """What ``opportunity_update`` accepts (``UPDATABLE_FIELDS``)."""

    name: str
    amount: Decimal | int | str
    currency: str | None
    close_date: date | None
    probability: int | str | None
    owner: User | None  # only unchanged: owners change through the ownership transfer
    competitors: list[str] | str | None
    next_step: str
    lost_reason: str


class StageChanges(TypedDict, total=False):
    """What ``stage_update`` accepts."""

    name: str
    order: int | str | None
    probability: int
    is_won: bool
    is_lost: bool


DEFAULT_PIPELINE_NAME = "Sales"
# (name, probability, is_won, is_lost, [(key action, required), ...])
DEFAULT_STAGES: list[tuple[str, int, bool, bool, list[tuple[str, bool]]]] = [
    ("Qualification", 10, False, False, [
        ("Budget confirmed", True),
        ("Decision maker identified", True),
        ("Timeline agreed", False),
    ]),
    ("Needs analysis", 25, False, False, [
        ("Requirements documented", True),
        ("Buying committee mapped", True),
    ]),
    ("Proposal", 50, False, False, [
        ("Proposal sent", True),
        ("Proposal presented to decision maker", False),
    ]),
    ("Negotiation", 75, False, False, [
        ("Commercial terms agreed", True),
        ("Contract sent for signature", True),
    ]),
    ("Won", 100, True, False, []),
    ("Lost", 0, False, True, []),
]


class KeyActionsIncompleteError(ValidationError):
    """The move was refused: required key actions are not done (and no override)."""

    def __init__(self, missing: list[KeyAction]) -> None:
        self.missing = missing
        labels = ", ".join(action.label for action in missing)
        super().__init__(
            {"stage": [ValidationError(
                _("Complete the key actions first: %(labels)s.") % {"labels": labels},
                code="key_actions_incomplete",
            )]}
        )


# --- helpers ---------------------------------------------------------------------------

def tenant_currency() -> str:
    tenant = getattr(connection, "tenant", None)
    return (getattr(tenant, "currency", "") or "USD").upper()


def _require(actor: User, capability: Capability) -> None:
    if not can(actor, capability):
        raise PermissionDenied(_("You may not do this."))


def _clean_amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"amount": [_("Enter a number.")]}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({"amount": [_("The amount cannot be negative.")]})
    if amount >= Decimal("1e14"):
        raise ValidationError({"amount": [_("The amount is too large.")]})
    return amount.quantize(Decimal("0.01"))


def _clean_currency(value: str | None) -> str:
    currency = (value or "").strip().upper() or tenant_currency()
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        raise ValidationError({"currency": [_("Use a three-letter currency code (ISO 4217).")]})
    return currency


def _clean_probability(value: Any) -> int:
    try:
        probability = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"probability": [_("Enter a whole number.")]}) from None
    if not 0 <= probability <= 100:
        raise ValidationError({"probability": [_("Probability is between 0 and 100.")]})
    return probability


def _clean_competitors(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    names = [str(name).strip()[:120] for name in (value or []) if str(name).strip()]
    return list(dict.fromkeys(names))


def _validate_owner(owner: User | None) -> None:
    if owner is not None and not can(owner, Capability.MANAGE_SALES):
        raise ValidationError({"owner": [_("The owner must be an active sales user.")]})


def first_open_stage(pipeline: Pipeline) -> Stage:
    stage = pipeline.stages.filter(is_won=False, is_lost=False).order_by("order", "id").first()
    if stage is None:
        raise ValidationError({"pipeline": [_("This pipeline has no open stage.")]})
    return stage


def default_pipeline() -> Pipeline:
    """The tenant's default pipeline (created with the standard stages when missing)."""
    pipeline = Pipeline.objects.filter(is_default=True, active=True).first()
    if pipeline is None:
        pipeline = Pipeline.objects.filter(active=True).order_by("id").first()
    if pipeline is None:
        pipeline = default_pipeline_ensure()
    return pipeline


@transaction.atomic
def default_pipeline_ensure() -> Pipeline:
    """Create the standard pipeline with stages and key actions; idempotent (by name)."""
    pipeline, _created = Pipeline.objects.get_or_create(
        name=DEFAULT_PIPELINE_NAME,
        defaults={"is_default": not Pipeline.objects.filter(is_default=True).exists()},
    )
    for order, (name, probability, is_won, is_lost, actions) in enumerate(DEFAULT_STAGES, 1):
        stage, _created = Stage.objects.get_or_create(
            pipeline=pipeline, name=name,
            defaults={"order": order * 10, "probability": probability, "is_won": is_won,
                      "is_lost": is_lost},
        )
        if _created:
            KeyAction.objects.bulk_create([
                KeyAction(stage=stage, label=label, order=index, required=required)
                for index, (label, required) in enumerate(actions, 1)
            ])
    return pipeline


# --- opportunities ---------------------------------------------------------------------

@transaction.atomic
def opportunity_create(
    *,
    account: Account,
    name: str,
    amount: Decimal | int | str,
    currency: str | None,
    close_date: date,
    owner: User | None,
    actor: User | None,
    pipeline: Pipeline | None = None,
    stage: Stage | None = None,
    contact: Contact | None = None,
    next_step: str = "",
    competitors: list[str] | None = None,
) -> Opportunity:
    """Open a deal on ``account``; without a stage it starts in the pipeline's first stage.

    ``currency`` empty or None means the tenant's currency. ``contact`` (of the same account)
    joins the deal's buying committee as its primary contact.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the opportunity a name.")]})
    if close_date is None:
        raise ValidationError({"close_date": [_("Enter the expected close date.")]})
    amount_value = _clean_amount(amount)
    currency_code = _clean_currency(currency)
    _validate_owner(owner)
    # Only managers open deals for someone else: a rep names themselves, a manager a user
    # of the teams they manage, an admin anyone.
    check_new_owner(actor=actor, owner=owner)
    if stage is not None:
        if pipeline is not None and stage.pipeline_id != pipeline.pk:
            raise ValidationError({"stage": [_("This stage belongs to another pipeline.")]})
        pipeline = stage.pipeline
    if pipeline is None:
        pipeline = default_pipeline()
    if not pipeline.active:
        raise ValidationError({"pipeline": [_("This pipeline is no longer in use.")]})
    if stage is None:
        stage = first_open_stage(pipeline)
    if contact is not None and contact.account_id != account.pk:
        raise ValidationError({"contact": [_("The contact works for another account.")]})

    now = timezone.now()
    opportunity = Opportunity.objects.create(
        account=account, name=name[:200], amount=amount_value, currency=currency_code,
        close_date=close_date, pipeline=pipeline, stage=stage, probability=stage.probability,
        owner=owner, next_step=(next_step or "")[:300],
        competitors=_clean_competitors(competitors), created_by=actor,
        closed_at=now if stage.is_closed else None,
    )
    StageHistory.objects.create(opportunity=opportunity, stage=stage, entered_at=now,
                                moved_by=actor)
    if contact is not None:
        OpportunityContact.objects.create(
            opportunity=opportunity, contact=contact, role=contact.buying_role, is_primary=True
        )
    audit_event(
        instance=opportunity, action="create", actor=actor,
        changes={field: [None, value] for field, value
                 in audit_snapshot(opportunity, AUDITED_FIELDS).items()},
    )
    return opportunity


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, actor: User,
                       **changes: Unpack[OpportunityChanges]) -> Opportunity:
    """Change the deal's fields (not its stage). ``probability=None`` follows the stage again.
    The owner may be repeated unchanged; changing it is the ownership transfer's job
    (crm.pool.transfer), so a changed owner is refused here."""
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in unknown})
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    before = audit_snapshot(opportunity, AUDITED_FIELDS)
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name:
            raise ValidationError({"name": [_("Give the opportunity a name.")]})
        opportunity.name = name[:200]
    if "amount" in changes:
        opportunity.amount = _clean_amount(changes["amount"])
    if "currency" in changes:
        opportunity.currency = _clean_currency(changes["currency"])
    if "close_date" in changes:
        if changes["close_date"] is None:
            raise ValidationError({"close_date": [_("Enter the expected close date.")]})
        opportunity.close_date = changes["close_date"]
    if "probability" in changes:
        if changes["probability"] is None or changes["probability"] == "":
            opportunity.probability = opportunity.stage.probability
            opportunity.probability_overridden = False
        else:
            probability = _clean_probability(changes["probability"])
            if opportunity.stage.is_closed and probability != opportunity.stage.probability:
                raise ValidationError(
                    {"probability": [_("A closed deal keeps its stage's probability.")]}
                )
            opportunity.probability_overridden = probability != opportunity.stage.probability
            opportunity.probability = probability
    if "owner" in changes:
        new_owner = changes["owner"]
        if (new_owner.pk if new_owner is not None else None) != opportunity.owner_id:
            raise owner_change_refused()
    if "competitors" in changes:
        opportunity.competitors = _clean_competitors(changes["competitors"])
    if "next_step" in changes:
        opportunity.next_step = (changes["next_step"] or "")[:300]
    if "lost_reason" in changes:
        opportunity.lost_reason = (changes["lost_reason"] or "").strip()[:300]
        if opportunity.stage.is_lost and not opportunity.lost_reason:
            raise ValidationError({"lost_reason": [_("A lost deal needs a reason.")]})
    opportunity.save()
    audit_changes(instance=opportunity, before=before, actor=actor)
    return opportunity


def missing_key_actions(*, opportunity: Opportunity, target: Stage) -> list[KeyAction]:
    """Required key actions still open on the way from the current stage to ``target``.

    Moving forward leaves the current stage and skips the stages in between: each of them
    must have its required checklist done, or a jump would bypass the gate. Moving back or
    to a lost stage needs nothing.
    """
    current = opportunity.stage
    if target.is_lost or target.pk == current.pk:
        return []
    if not target.is_won and target.order <= current.order:
        return []
    if current.is_closed:
        # Reopening a closed deal: nothing to check on the way out.
        return []
    stages_left = Stage.objects.filter(
        pipeline_id=current.pipeline_id, is_won=False, is_lost=False,
        order__gte=current.order, order__lt=target.order if not target.is_won else 32767,
    )
    done_ids = OpportunityKeyAction.objects.filter(
        opportunity=opportunity, done=True
    ).values_list("key_action_id", flat=True)
    return list(
        KeyAction.objects.filter(stage__in=stages_left, required=True)
        .exclude(pk__in=done_ids)
        .select_related("stage")
        .order_by("stage__order", "order", "id")
    )


@transaction.atomic
def opportunity_move_stage(
    *,
    opportunity: Opportunity,
    stage: Stage,
    actor: User,
    override_reason: str = "",
    lost_reason: str = "",
) -> Opportunity:
    """Move the deal to ``stage`` of its pipeline.

    Forward moves need every required key action of the stages left behind; a user with
    OVERRIDE_KEY_ACTIONS may move anyway by giving a reason (kept in the stage history and
    the audit log). Won/lost stages close the deal (lost needs a reason); moving a closed deal
    to an open stage reopens it.
    """
    opportunity = (
        Opportunity.objects.select_for_update().select_related("stage").get(pk=opportunity.pk)
    )
    if stage.pipeline_id != opportunity.pipeline_id:
        raise ValidationError({"stage": [_("This stage belongs to another pipeline.")]})
    if stage.pk == opportunity.stage_id:
        return opportunity
    override_reason = (override_reason or "").strip()[:500]
    lost_reason = (lost_reason or "").strip()[:300]

    missing = missing_key_actions(opportunity=opportunity, target=stage)
    overridden = False
    if missing:
        if not override_reason:
            raise KeyActionsIncompleteError(missing)
        if not can(actor, Capability.OVERRIDE_KEY_ACTIONS):
            raise PermissionDenied(_("Only a manager may override key actions."))
        overridden = True
    if stage.is_lost:
        opportunity.lost_reason = lost_reason or opportunity.lost_reason
        if not opportunity.lost_reason:
            raise ValidationError({"lost_reason": [_("Say why the deal was lost.")]})

    before = audit_snapshot(opportunity, AUDITED_FIELDS)
    previous_stage = opportunity.stage
    now = timezone.now()
    opportunity.stage = stage
    if stage.is_closed or not opportunity.probability_overridden:
        opportunity.probability = stage.probability
        opportunity.probability_overridden = False
    if stage.is_closed:
        opportunity.closed_at = opportunity.closed_at if previous_stage.is_closed else now
        if stage.is_won:
            opportunity.lost_reason = ""
    else:
        opportunity.closed_at = None
        opportunity.lost_reason = ""
    opportunity.save()

    StageHistory.objects.filter(opportunity=opportunity, left_at__isnull=True).update(left_at=now)
    StageHistory.objects.create(
        opportunity=opportunity, stage=stage, entered_at=now, moved_by=actor,
        overridden=overridden, override_reason=override_reason if overridden else "",
    )
    entry = audit_changes(instance=opportunity, before=before, actor=actor, action="stage_change")
    if overridden and entry is not None:
        entry.data = {
            "override_reason": override_reason,
            "skipped_key_actions": [action.label for action in missing],
            "from_stage": previous_stage.name,
        }
        entry.save(update_fields=["data"])
    data = {"opportunity": opportunity_event_data(opportunity),
            "from_stage": {"id": previous_stage.pk, "name": previous_stage.name},
            "to_stage": {"id": stage.pk, "name": stage.name}}
    emit("opportunity.stage_changed", data=data)
    if stage.is_won and not previous_stage.is_won:
        emit("opportunity.won", data=data)
    return opportunity


def opportunity_event_data(opportunity: Opportunity) -> dict[str, Any]:
    """The stable JSON of a deal in domain events (webhook bodies); amount as a string."""
    return {
        "id": opportunity.pk, "name": opportunity.name,
        "account": {"id": opportunity.account_id, "name": opportunity.account.name},
        "amount": str(opportunity.amount), "currency": opportunity.currency,
        "close_date": opportunity.close_date.isoformat() if opportunity.close_date else None,
        "pipeline": opportunity.pipeline_id,
        "stage": {"id": opportunity.stage_id, "name": opportunity.stage.name,
                  "is_won": opportunity.stage.is_won, "is_lost": opportunity.stage.is_lost},
        "probability": opportunity.probability, "owner": opportunity.owner_id,
        "closed_at": opportunity.closed_at.isoformat() if opportunity.closed_at else None,
    }


@transaction.atomic
def key_action_complete(
    *, opportunity: Opportunity, key_action: KeyAction, actor: User, done: bool = True
) -> OpportunityKeyAction:
    """Tick (or untick) a checklist item of the deal's pipeline."""
    if key_action.stage.pipeline_id != opportunity.pipeline_id:
        raise ValidationError({"key_action": [_("This key action belongs to another pipeline.")]})
    state, _created = OpportunityKeyAction.objects.select_for_update().get_or_create(
        opportunity=opportunity, key_action=key_action
    )
    if state.done == done:
        return state
    state.done = done
    state.done_by = actor if done else None
    state.done_at = timezone.now() if done else None
    state.save()
    audit_event(
        instance=opportunity, action="key_action", actor=actor,
        data={"key_action": key_action.label, "done": done},
    )
    Opportunity.objects.filter(pk=opportunity.pk).update(updated_at=timezone.now())
    return state


@transaction.atomic
def opportunity_team_member_set(
    *, opportunity: Opportunity, user: User, role: str, actor: User
) -> OpportunityTeamMember:
    if role not in OpportunityTeamRole.values:
        raise ValidationError({"role": [_("Choose a valid role.")]})
    if not can(user, Capability.USE_CRM):
        raise ValidationError({"user": [_("Only staff can join a deal team.")]})
    member, _created = OpportunityTeamMember.objects.update_or_create(
        opportunity=opportunity, user=user, defaults={"role": role}
    )
    audit_event(instance=opportunity, action="team_member", actor=actor,
                data={"user": user.pk, "role": role})
    return member


@transaction.atomic
def opportunity_team_member_remove(*, opportunity: Opportunity, user: User, actor: User) -> None:
    deleted, _rows = OpportunityTeamMember.objects.filter(
        opportunity=opportunity, user=user
    ).delete()
    if deleted:
        audit_event(instance=opportunity, action="team_member_removed", actor=actor,
                    data={"user": user.pk})


@transaction.atomic
def opportunity_contact_set(
    *, opportunity: Opportunity, contact: Contact, actor: User, role: str = "",
    is_primary: bool = False,
) -> OpportunityContact:
    """Put a contact of the deal's account (or its hierarchy) on the deal's committee."""
    from crm.sales.selectors import account_family_ids

    if contact.account_id not in account_family_ids(account_id=opportunity.account_id):
        raise ValidationError({"contact": [_("The contact works for another account.")]})
    if is_primary:
        OpportunityContact.objects.filter(opportunity=opportunity).update(is_primary=False)
    link, _created = OpportunityContact.objects.update_or_create(
        opportunity=opportunity, contact=contact,
        defaults={"role": (role or contact.buying_role)[:20], "is_primary": is_primary},
    )
    audit_event(instance=opportunity, action="committee", actor=actor,
                data={"contact": contact.pk, "role": link.role})
    return link


@transaction.atomic
def opportunity_contact_remove(
    *, opportunity: Opportunity, contact: Contact, actor: User
) -> None:
    deleted, _rows = OpportunityContact.objects.filter(
        opportunity=opportunity, contact=contact
    ).delete()
    if deleted:
        audit_event(instance=opportunity, action="committee_removed", actor=actor,
                    data={"contact": contact.pk})


# --- pipeline settings (admins) ---------------------------------------------------------

@transaction.atomic
def pipeline_create(*, name: str, actor: User, is_default: bool = False,
                    with_default_stages: bool = True) -> Pipeline:
    _require(actor, Capability.MANAGE_SETTINGS)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the pipeline a name.")]})
    if Pipeline.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": [_("A pipeline with this name exists.")]})
    if is_default:
        Pipeline.objects.filter(is_default=True).update(is_default=False)
    pipeline = Pipeline.objects.create(name=name[:120], is_default=is_default)
    if with_default_stages:
        for order, (stage_name, probability, is_won, is_lost, _actions) in enumerate(
            DEFAULT_STAGES, 1
        ):
            Stage.objects.create(pipeline=pipeline, name=stage_name, order=order * 10,
                                 probability=probability, is_won=is_won, is_lost=is_lost)
    audit_event(instance=pipeline, action="create", actor=actor, data={"name": pipeline.name})
    return pipeline


@transaction.atomic
def pipeline_update(*, pipeline: Pipeline, actor: User, name: str | None = None,
                    is_default: bool | None = None, active: bool | None = None) -> Pipeline:
    _require(actor, Capability.MANAGE_SETTINGS)
    before = audit_snapshot(pipeline, ["name", "is_default", "active"])
    if name is not None:
        name = name.strip()
        if not name:
            raise ValidationError({"name": [_("Give the pipeline a name.")]})
        if Pipeline.objects.filter(name__iexact=name).exclude(pk=pipeline.pk).exists():
            raise ValidationError({"name": [_("A pipeline with this name exists.")]})
        pipeline.name = name[:120]
    if active is not None:
        pipeline.active = active
    if is_default is not None:
        if is_default:
            Pipeline.objects.filter(is_default=True).exclude(pk=pipeline.pk).update(
                is_default=False
            )
        pipeline.is_default = is_default
    if pipeline.is_default and not pipeline.active:
        raise ValidationError({"active": [_("The default pipeline must stay active.")]})
    pipeline.save()
    audit_changes(instance=pipeline, before=before, actor=actor)
    return pipeline


def _stage_flags(*, is_won: bool, is_lost: bool, probability: int) -> int:
    if is_won and is_lost:
        raise ValidationError({"is_won": [_("A stage is either won or lost, not both.")]})
    probability = _clean_probability(probability)
    if is_won and probability != 100:
        raise ValidationError({"probability": [_("A won stage has 100% probability.")]})
    if is_lost and probability != 0:
        raise ValidationError({"probability": [_("A lost stage has 0% probability.")]})
    return probability


@transaction.atomic
def stage_create(*, pipeline: Pipeline, name: str, probability: int, actor: User,
                 order: int | None = None, is_won: bool = False, is_lost: bool = False) -> Stage:
    _require(actor, Capability.MANAGE_SETTINGS)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the stage a name.")]})
    if pipeline.stages.filter(name__iexact=name).exists():
        raise ValidationError({"name": [_("This pipeline already has a stage with this name.")]})
    probability = _stage_flags(is_won=is_won, is_lost=is_lost, probability=probability)
    if order is None:
        order = (pipeline.stages.aggregate(top=Max("order"))["top"] or 0) + 10
    stage = Stage.objects.create(pipeline=pipeline, name=name[:120], order=order,
                                 probability=probability, is_won=is_won, is_lost=is_lost)
    audit_event(instance=pipeline, action="stage_created", actor=actor,
                data={"stage": stage.pk, "name": stage.name})
    return stage


@transaction.atomic
def stage_update(*, stage: Stage, actor: User, **changes: Unpack[StageChanges]) -> Stage:
    """Rename, reorder or re-weigh a stage; open deals that follow the stage's probability
    take the new one."""
    _require(actor, Capability.MANAGE_SETTINGS)
    allowed = {"name", "order", "probability", "is_won", "is_lost"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in unknown})
    before = audit_snapshot(stage, sorted(allowed))
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name:
            raise ValidationError({"name": [_("Give the stage a name.")]})
        if stage.pipeline.stages.filter(name__iexact=name).exclude(pk=stage.pk).exists():
            raise ValidationError(
                {"name": [_("This pipeline already has a stage with this name.")]}
            )
        stage.name = name[:120]
    if "order" in changes:
        order = changes["order"]
        try:
            if order is None:
                raise TypeError
            stage.order = max(0, int(order))
        except (TypeError, ValueError):
            raise ValidationError({"order": [_("Enter a whole number.")]}) from None
    for flag in ("is_won", "is_lost"):
        if flag in changes:
            setattr(stage, flag, bool(changes[flag]))
    stage.probability = _stage_flags(
        is_won=stage.is_won, is_lost=stage.is_lost,
        probability=changes.get("probability", stage.probability),
    )
    if (stage.is_won != before["is_won"] or stage.is_lost != before["is_lost"]) and (
        stage.opportunities.exists()
    ):
        raise ValidationError(
            {"is_won": [_("Deals sit in this stage; move them before changing its kind.")]}
        )
    stage.save()
    Opportunity.objects.filter(stage=stage, probability_overridden=False).update(
        probability=stage.probability
    )
    audit_event(instance=stage.pipeline, action="stage_updated", actor=actor,
                data={"stage": stage.pk},
                changes={k: [v, getattr(stage, k)] for k, v in before.items()
                         if v != getattr(stage, k)})
    return stage


@transaction.atomic
def stage_delete(*, stage: Stage, actor: User) -> None:
    _require(actor, Capability.MANAGE_SETTINGS)
    if stage.opportunities.exists():
        raise ValidationError({"stage": [_("Deals sit in this stage; move them first.")]})
    if StageHistory.objects.filter(stage=stage).exists():
        raise ValidationError(
            {"stage": [_("Deals have passed through this stage; keep it for their history.")]}
        )
    pipeline = stage.pipeline
    data = {"stage": stage.pk, "name": stage.name}
    stage.delete()
    audit_event(instance=pipeline, action="stage_deleted", actor=actor, data=data)


@transaction.atomic
def key_action_create(*, stage: Stage, label: str, actor: User, required: bool = True,
                      order: int | None = None) -> KeyAction:
    _require(actor, Capability.MANAGE_SETTINGS)
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": [_("Describe the key action.")]})
    if stage.is_closed:
        raise ValidationError({"stage": [_("Won and lost stages have no key actions.")]})
    if order is None:
        order = (stage.key_actions.aggregate(top=Max("order"))["top"] or 0) + 1
    action = KeyAction.objects.create(stage=stage, label=label[:200], order=order,
                                      required=required)
    audit_event(instance=stage.pipeline, action="key_action_created", actor=actor,
                data={"stage": stage.pk, "label": action.label, "required": required})
    return action


@transaction.atomic
def key_action_update(*, key_action: KeyAction, actor: User, label: str | None = None,
                      required: bool | None = None, order: int | None = None) -> KeyAction:
    _require(actor, Capability.MANAGE_SETTINGS)
    if label is not None:
        label = label.strip()
        if not label:
            raise ValidationError({"label": [_("Describe the key action.")]})
        key_action.label = label[:200]
    if required is not None:
        key_action.required = required
    if order is not None:
        key_action.order = max(0, int(order))
    key_action.save()
    audit_event(instance=key_action.stage.pipeline, action="key_action_updated", actor=actor,
                data={"key_action": key_action.pk, "label": key_action.label,
                      "required": key_action.required})
    return key_action


@transaction.atomic
def key_action_delete(*, key_action: KeyAction, actor: User) -> None:
    _require(actor, Capability.MANAGE_SETTINGS)
    pipeline = key_action.stage.pipeline
    data = {"key_action": key_action.pk, "label": key_action.label}
    key_action.delete()
    audit_event(instance=pipeline, action="key_action_deleted", actor=actor, data=data)
