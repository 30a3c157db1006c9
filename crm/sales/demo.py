"""Demo opportunities: deals across every stage of the default pipeline for the demo
accounts, with buying committees, deal teams and a stage history spread over the last
months (so durations, the board and the forecast look lived-in).

Deterministic (random.Random(SEED)) and idempotent: each planned deal is keyed by account
and name and created only when missing. Without accounts (the accounts seeder, order 10,
did not run) it does nothing."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crm.accounts.models import Account, Contact
from crm.sales.models import Opportunity, OpportunityTeamRole, Stage, StageHistory
from crm.sales.services import (
    default_pipeline,
    key_action_complete,
    opportunity_contact_set,
    opportunity_create,
    opportunity_move_stage,
    opportunity_team_member_set,
)
from tenants.demo import demo_seeder
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

SEED = 20240612
DEAL_COUNT = 140
PRODUCTS = ["CRM rollout", "Service contract", "Hardware refresh", "Analytics suite",
            "Support renewal", "Pilot project", "Expansion", "Training programme",
            "年度维保合同", "数字化升级项目", "设备采购", "系统集成"]
COMPETITORS = ["Salesforce", "HubSpot", "SAP", "Oracle", "Microsoft", "纷享销客", "销售易"]
LOST_REASONS = ["Price too high", "Chose a competitor", "Project cancelled", "No budget",
                "Timing", "预算不足"]
NEXT_STEPS = ["Send revised proposal", "Schedule demo with IT", "Call the CFO",
              "Site visit", "Prepare contract draft", ""]
# Where the deals end up: (stage index in the pipeline, weight).
STAGE_WEIGHTS = [(0, 26), (1, 22), (2, 18), (3, 12), (4, 14), (5, 8)]


@demo_seeder(name="opportunities", order=30)
def seed_opportunities() -> None:
    accounts = list(Account.objects.filter(external_id__startswith="demo-").order_by("pk"))
    if not accounts:
        accounts = list(Account.objects.order_by("pk")[:DEAL_COUNT])
    if not accounts:
        return
    staff = list(User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by("pk"))
    sellers = [user for user in staff if can(user, Capability.MANAGE_SALES)]
    if not sellers:
        return
    manager = next((u for u in sellers if can(u, Capability.OVERRIDE_KEY_ACTIONS)), None)
    pipeline = default_pipeline()
    stages = list(pipeline.stages.order_by("order", "id"))
    open_stages = [stage for stage in stages if not stage.is_closed]
    won = next((stage for stage in stages if stage.is_won), None)
    lost = next((stage for stage in stages if stage.is_lost), None)
    targets = [*open_stages, *(s for s in (won, lost) if s is not None)]
    rng = random.Random(SEED)  # noqa: S311 - deterministic demo data, not secrets
    contacts_by_account: dict[int, list[Contact]] = {}
    for contact in Contact.objects.filter(account__in=accounts).order_by("pk"):
        contacts_by_account.setdefault(contact.account_id, []).append(contact)
    existing = set(Opportunity.objects.values_list("account_id", "name"))
    now = timezone.now()

    for index in range(DEAL_COUNT):
        # Draw every random number for this deal first: the sequence stays the same whether
        # or not the deal already exists, so re-runs plan exactly the same deals.
        account = accounts[(index * 7) % len(accounts)]
        name = f"{account.name}: {rng.choice(PRODUCTS)}"
        amount = Decimal(rng.randrange(5, 400) * 1000)
        weights = [weight for _stage, weight in STAGE_WEIGHTS][: len(targets)]
        target_index = rng.choices(range(len(targets)), weights=weights)[0]
        started_days_ago = rng.randint(15, 200)
        stay_days = [rng.randint(3, 25) for _ in targets]
        close_in_days = rng.randint(5, 160)
        competitors = rng.sample(COMPETITORS, k=rng.randint(0, 2))
        next_step = rng.choice(NEXT_STEPS)
        lost_reason = rng.choice(LOST_REASONS)
        helper_index = rng.randrange(len(staff))
        if (account.pk, name) in existing:
            continue
        existing.add((account.pk, name))
        owner = account.owner if account.owner in sellers else sellers[index % len(sellers)]
        with transaction.atomic():
            opportunity = opportunity_create(
                account=account, name=name, amount=amount, currency=None,
                close_date=(now + timedelta(days=close_in_days)).date(), pipeline=pipeline,
                owner=owner, actor=owner, next_step=next_step, competitors=competitors,
            )
            _walk(opportunity, targets[target_index], open_stages, owner, manager, lost_reason)
            for contact in contacts_by_account.get(account.pk, [])[:3]:
                opportunity_contact_set(opportunity=opportunity, contact=contact, actor=owner,
                                        is_primary=contact.buying_role == "decision_maker")
            helper = staff[helper_index]
            if helper != owner and index % 3 == 0:
                opportunity_team_member_set(opportunity=opportunity, user=helper,
                                            role=OpportunityTeamRole.PRESALES, actor=owner)
            _backdate(opportunity, now - timedelta(days=started_days_ago), stay_days, now)


def _walk(opportunity: Opportunity, target: Stage, open_stages: list[Stage], owner: User,
          manager: User | None, lost_reason: str) -> None:
    """Move the deal stage by stage to ``target``, ticking key actions on the way (one deal
    in a few is pushed on by a manager's override instead)."""
    if target.is_lost:
        path = open_stages[: max(1, opportunity.pk % len(open_stages))][1:]
    elif target.is_won:
        path = open_stages[1:]
    else:
        path = [s for s in open_stages if opportunity.stage.order < s.order <= target.order]
    final = [target] if target.is_closed else []
    for stage in [*path, *final]:
        override = manager is not None and opportunity.pk % 11 == 0 and not stage.is_lost
        if not override and not stage.is_lost:
            for key_action in opportunity.stage.key_actions.filter(required=True):
                key_action_complete(opportunity=opportunity, key_action=key_action, actor=owner)
        opportunity = opportunity_move_stage(
            opportunity=opportunity, stage=stage,
            actor=manager if override else owner,
            override_reason="Customer committed verbally" if override else "",
            lost_reason=lost_reason if stage.is_lost else "",
        )


def _backdate(opportunity: Opportunity, started: datetime, stay_days: list[int],
              now: datetime) -> None:
    """Spread the stage history over the past: each stay a few days to weeks."""
    entries = list(StageHistory.objects.filter(opportunity=opportunity).order_by("entered_at",
                                                                                 "id"))
    moment = started
    for position, entry in enumerate(entries):
        entry.entered_at = min(moment, now)
        moment = moment + timedelta(days=stay_days[position % len(stay_days)])
        if entry.left_at is not None:
            entry.left_at = min(moment, now)
    StageHistory.objects.bulk_update(entries, ["entered_at", "left_at"])
    fields: dict[str, object] = {"created_at": started}
    if entries and opportunity.closed_at is not None:
        closed = entries[-1].entered_at
        fields.update(closed_at=closed, close_date=closed.date())
    Opportunity.objects.filter(pk=opportunity.pk).update(**fields)
