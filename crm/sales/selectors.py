"""Sales reads shared by pages and the API: visibility, lists, forecast and account roll-ups.

Visibility: a viewer sees an opportunity when they may work sales (MANAGE_SALES) or see
everything (SEE_ALL_RECORDS), and the deal's owner is in their owner scope
(crm.core.visibility). Service agents see no opportunities at all.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404

from crm.accounts.models import Contact
from crm.accounts.selectors import account_descendant_ids, contact_visible_queryset
from crm.core.models import Team
from crm.core.visibility import scope_by_owner
from crm.sales.models import (
    KeyAction,
    Opportunity,
    OpportunityContact,
    OpportunityKeyAction,
    Pipeline,
    Stage,
    StageHistory,
)
from tenants.users.models import User
from tenants.users.permissions import Capability, can

MONEY: "DecimalField[Decimal, Decimal]" = DecimalField(max_digits=20, decimal_places=2)
WEIGHTED = ExpressionWrapper(F("amount") * F("probability") / Value(100), output_field=MONEY)

ORDERINGS = {
    "name": ("name", "id"), "-name": ("-name", "-id"),
    "amount": ("amount", "id"), "-amount": ("-amount", "-id"),
    "close_date": ("close_date", "id"), "-close_date": ("-close_date", "-id"),
    "updated": ("updated_at", "id"), "-updated": ("-updated_at", "-id"),
    "stage": ("stage__order", "id"), "-stage": ("-stage__order", "-id"),
}


def sees_sales(viewer: User) -> bool:
    return can(viewer, Capability.MANAGE_SALES) or can(viewer, Capability.SEE_ALL_RECORDS)


def opportunity_visible(*, viewer: User) -> QuerySet[Opportunity]:
    """Every opportunity ``viewer`` may see (none for service agents and portal members)."""
    if not can(viewer, Capability.USE_CRM) or not sees_sales(viewer):
        return Opportunity.objects.none()
    return scope_by_owner(Opportunity.objects.all(), viewer)


@dataclass
class OpportunityFilters:
    q: str = ""
    pipeline: int | None = None
    stage: int | None = None
    owner: int | None = None
    account: int | None = None
    # "open", "won", "lost", "closed" or "" for all.
    status: str = ""
    close_from: date | None = None
    close_to: date | None = None
    min_amount: Decimal | None = None
    ordering: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def apply_opportunity_filters(
    queryset: QuerySet[Opportunity], filters: OpportunityFilters
) -> QuerySet[Opportunity]:
    queryset = opportunity_search(queryset, filters.q)
    if filters.pipeline:
        queryset = queryset.filter(pipeline_id=filters.pipeline)
    if filters.stage:
        queryset = queryset.filter(stage_id=filters.stage)
    if filters.owner:
        queryset = queryset.filter(owner_id=filters.owner)
    if filters.account:
        queryset = queryset.filter(account_id=filters.account)
    if filters.status == "open":
        queryset = queryset.filter(closed_at__isnull=True)
    elif filters.status == "won":
        queryset = queryset.filter(stage__is_won=True)
    elif filters.status == "lost":
        queryset = queryset.filter(stage__is_lost=True)
    elif filters.status == "closed":
        queryset = queryset.filter(closed_at__isnull=False)
    if filters.close_from:
        queryset = queryset.filter(close_date__gte=filters.close_from)
    if filters.close_to:
        queryset = queryset.filter(close_date__lte=filters.close_to)
    if filters.min_amount is not None:
        queryset = queryset.filter(amount__gte=filters.min_amount)
    return opportunity_order(queryset, filters.ordering)


def opportunity_search(queryset: QuerySet[Opportunity], search: str) -> QuerySet[Opportunity]:
    """``queryset`` narrowed to deals whose name or account name contains ``search``."""
    term = search.strip()
    if not term:
        return queryset
    return queryset.filter(Q(name__icontains=term) | Q(account__name__icontains=term))


def opportunity_order(queryset: QuerySet[Opportunity], ordering: str) -> QuerySet[Opportunity]:
    """``queryset`` in one of the ``ORDERINGS`` (anything else: as it was)."""
    if ordering in ORDERINGS:
        return queryset.order_by(*ORDERINGS[ordering])
    return queryset


def opportunity_list(
    *, viewer: User, filters: OpportunityFilters | None = None
) -> QuerySet[Opportunity]:
    """The viewer's visible opportunities, filtered, with what a list row shows joined in."""
    queryset = opportunity_visible(viewer=viewer).select_related(
        "account", "stage", "pipeline", "owner"
    )
    return apply_opportunity_filters(queryset, filters or OpportunityFilters())


def opportunity_ids_of_campaign(campaign_id: int) -> QuerySet[Opportunity, int]:
    """Ids of the opportunities a lead of this campaign was converted
    into. Visibility: ids only; callers narrow a visible queryset with them."""
    return Opportunity.objects.filter(source_leads__campaign_id=campaign_id).values_list(
        "pk", flat=True)


def opportunity_get_for(*, viewer: User, opportunity_id: int | str) -> Opportunity:
    """The opportunity by id if ``viewer`` may see it; Http404 for "not yours" and "missing"
    alike."""
    try:
        pk = int(opportunity_id)
    except (TypeError, ValueError):
        raise Http404 from None
    opportunity = (
        opportunity_visible(viewer=viewer)
        .select_related("account", "stage", "pipeline", "owner", "created_by")
        .filter(pk=pk)
        .first()
    )
    if opportunity is None:
        raise Http404
    return opportunity


def opportunity_detail_data(*, opportunity: Opportunity) -> dict[str, Any]:
    """What the detail page shows besides the record (visibility: caller checked)."""
    stages = list(
        opportunity.pipeline.stages.prefetch_related(
            Prefetch("key_actions", queryset=KeyAction.objects.order_by("order", "id"))
        )
    )
    done = {
        state.key_action_id: state
        for state in OpportunityKeyAction.objects.filter(opportunity=opportunity)
        .select_related("done_by")
    }
    current = opportunity.stage
    for stage in stages:
        actions = list(stage.key_actions.all())
        for key_action in actions:
            key_action.state = done.get(key_action.pk)  # type: ignore[attr-defined]
        # The current stage's checklist and the ones ahead (done early counts too).
        stage.show_checklist = bool(actions) and (  # type: ignore[attr-defined]
            stage.pk == current.pk or (stage.order > current.order and not stage.is_closed)
        )
    history = list(
        StageHistory.objects.filter(opportunity=opportunity)
        .select_related("stage", "moved_by")
        .order_by("-entered_at", "-id")
    )
    committee = list(
        OpportunityContact.objects.filter(opportunity=opportunity)
        .select_related("contact", "contact__covered_by", "contact__reports_to")
        .order_by("-is_primary", "contact__last_name")
    )
    team = list(opportunity.team_members.select_related("user").order_by("user__email"))
    return {
        "stages": stages, "done": done, "history": history, "committee": committee,
        "team": team,
    }


def pipeline_list(*, viewer: User, include_inactive: bool = False) -> QuerySet[Pipeline]:
    """Pipelines with stages and key actions (settings are not secret to sales users)."""
    if not can(viewer, Capability.USE_CRM) or not sees_sales(viewer):
        return Pipeline.objects.none()
    queryset = Pipeline.objects.prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("order", "id").prefetch_related(
            Prefetch("key_actions", queryset=KeyAction.objects.order_by("order", "id"))
        ))
    )
    if not include_inactive:
        queryset = queryset.filter(active=True)
    return queryset


def pipeline_get_for(*, viewer: User, pipeline_id: int | str) -> Pipeline:
    try:
        pk = int(pipeline_id)
    except (TypeError, ValueError):
        raise Http404 from None
    pipeline = pipeline_list(viewer=viewer, include_inactive=True).filter(pk=pk).first()
    if pipeline is None:
        raise Http404
    return pipeline


def board_columns(*, viewer: User, pipeline: Pipeline, filters: OpportunityFilters | None = None,
                  per_column: int = 100) -> list[dict[str, Any]]:
    """The board: each stage with its visible deals (at most ``per_column`` shown) and
    totals."""
    base = opportunity_list(viewer=viewer, filters=filters).filter(pipeline=pipeline)
    totals = {
        row["stage_id"]: row
        for row in base.order_by().values("stage_id").annotate(
            count=Count("id"), total=Coalesce(Sum("amount"), Value(0), output_field=MONEY),
            weighted=Coalesce(Sum(WEIGHTED), Value(0), output_field=MONEY),
        )
    }
    cards: dict[int, list[Opportunity]] = defaultdict(list)
    for opportunity in base.order_by("stage_id", "close_date", "id"):
        if len(cards[opportunity.stage_id]) < per_column:
            cards[opportunity.stage_id].append(opportunity)
    return [
        {
            "stage": stage,
            "opportunities": cards.get(stage.pk, []),
            "count": totals.get(stage.pk, {}).get("count", 0),
            "total": totals.get(stage.pk, {}).get("total", Decimal(0)),
            "weighted": totals.get(stage.pk, {}).get("weighted", Decimal(0)),
        }
        for stage in pipeline.stages.all()
    ]


# --- forecast -------------------------------------------------------------------------

@dataclass
class ForecastRow:
    key: Any
    label: str
    currency: str
    month: date | None
    count: int
    amount: Decimal
    weighted: Decimal


def _open_forecast_base(*, viewer: User, start: date | None, end: date | None,
                        pipeline: int | None,
                        owner_ids: frozenset[int] | None = None) -> QuerySet[Opportunity]:
    queryset = opportunity_visible(viewer=viewer).filter(closed_at__isnull=True)
    if owner_ids is not None:
        queryset = queryset.filter(owner_id__in=owner_ids)
    if start:
        queryset = queryset.filter(close_date__gte=start)
    if end:
        queryset = queryset.filter(close_date__lte=end)
    if pipeline:
        queryset = queryset.filter(pipeline_id=pipeline)
    return queryset


def _aggregate(queryset: QuerySet, *group: str) -> QuerySet:
    return (
        queryset.order_by()
        .values(*group)
        .annotate(
            count=Count("id", distinct=True),
            amount_total=Coalesce(Sum("amount"), Value(0), output_field=MONEY),
            weighted_total=Coalesce(Sum(WEIGHTED), Value(0), output_field=MONEY),
        )
    )


def forecast_by_month(*, viewer: User, start: date | None = None, end: date | None = None,
                      pipeline: int | None = None,
                      owner_ids: frozenset[int] | None = None) -> list[ForecastRow]:
    """Weighted forecast of visible open deals per expected close month and currency:
    sum(amount * probability / 100)."""
    base = _open_forecast_base(viewer=viewer, start=start, end=end, pipeline=pipeline,
                               owner_ids=owner_ids)
    rows = _aggregate(base.annotate(month=TruncMonth("close_date")), "month", "currency")
    return [
        ForecastRow(key=row["month"], label=row["month"].strftime("%Y-%m"),
                    currency=row["currency"], month=row["month"], count=row["count"],
                    amount=row["amount_total"], weighted=row["weighted_total"])
        for row in rows.order_by("month", "currency")
    ]


def forecast_by_rep(*, viewer: User, start: date | None = None, end: date | None = None,
                      pipeline: int | None = None,
                      owner_ids: frozenset[int] | None = None) -> list[ForecastRow]:
    """Weighted forecast per owner (and month); unowned deals form their own row."""
    base = _open_forecast_base(viewer=viewer, start=start, end=end, pipeline=pipeline,
                               owner_ids=owner_ids)
    rows = _aggregate(
        base.annotate(month=TruncMonth("close_date")),
        "owner_id", "owner__email", "owner__first_name", "owner__last_name", "month", "currency",
    ).order_by("owner__email", "month", "currency")
    result = []
    for row in rows:
        name = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
        result.append(ForecastRow(
            key=row["owner_id"], label=name or row["owner__email"] or "",
            currency=row["currency"], month=row["month"], count=row["count"],
            amount=row["amount_total"], weighted=row["weighted_total"],
        ))
    return result


def forecast_by_team(*, viewer: User, start: date | None = None, end: date | None = None,
                      pipeline: int | None = None,
                      owner_ids: frozenset[int] | None = None) -> list[ForecastRow]:
    """Weighted forecast per crm.core Team (and month) by the owner's team membership.

    An owner in two teams counts in both team rows (each team's own view of its pipeline);
    deals whose owner is in no team are left out of this breakdown.
    """
    base = _open_forecast_base(viewer=viewer, start=start, end=end, pipeline=pipeline,
                               owner_ids=owner_ids)
    rows = _aggregate(
        base.filter(owner__teams__isnull=False,
                    owner__teams__archived_at__isnull=True).annotate(
            month=TruncMonth("close_date"), team_id=F("owner__teams__id"),
            team_name=F("owner__teams__name"),
        ),
        "team_id", "team_name", "month", "currency",
    ).order_by("team_name", "month", "currency")
    return [
        ForecastRow(key=row["team_id"], label=row["team_name"], currency=row["currency"],
                    month=row["month"], count=row["count"], amount=row["amount_total"],
                    weighted=row["weighted_total"])
        for row in rows
    ]


def forecast_totals(rows: list[ForecastRow]) -> dict[str, dict[str, Decimal]]:
    """Per currency: amount and weighted totals of forecast rows."""
    totals: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"amount": Decimal(0), "weighted": Decimal(0)}
    )
    for row in rows:
        totals[row.currency]["amount"] += row.amount
        totals[row.currency]["weighted"] += row.weighted
    return dict(totals)


def teams_for_forecast() -> QuerySet[Team]:
    return Team.objects.active().order_by("name")


# --- account roll-ups ------------------------------------------------------------------

def account_family_ids(*, account_id: int) -> set[int]:
    """The account and all its descendants, at any depth (crm.accounts' recursive query)."""
    return set(account_descendant_ids(account_id=account_id))


def committee_candidates(*, viewer: User, opportunity: Opportunity) -> QuerySet[Contact]:
    """Contacts that may join the deal's buying committee: those of the deal's account and
    its branches that ``viewer`` may see (crm.accounts' contact visibility)."""
    family = account_family_ids(account_id=opportunity.account_id)
    return (contact_visible_queryset(viewer=viewer).filter(account_id__in=family)
            .select_related("account").order_by("account__name", "last_name", "pk"))


@dataclass
class AccountRollup:
    currency: str
    open_count: int
    open_amount: Decimal
    open_weighted: Decimal
    won_count: int
    won_amount: Decimal


def account_pipeline_rollup(
    *, viewer: User, account_id: int, family_ids: list[int] | set[int] | None = None
) -> list[AccountRollup]:
    """Open pipeline and won revenue of the account and all its descendants, per currency,
    over the opportunities ``viewer`` may see (so a roll-up never reveals hidden deals).
    ``family_ids`` skips the tree query when the caller already has the ids."""
    if not sees_sales(viewer):
        return []
    family = family_ids if family_ids is not None else account_family_ids(account_id=account_id)
    rows = (
        opportunity_visible(viewer=viewer)
        .filter(account_id__in=family)
        .order_by()
        .values("currency")
        .annotate(
            open_count=Count("id", filter=Q(closed_at__isnull=True)),
            open_amount=Coalesce(Sum("amount", filter=Q(closed_at__isnull=True)), Value(0),
                                 output_field=MONEY),
            open_weighted=Coalesce(Sum(WEIGHTED, filter=Q(closed_at__isnull=True)), Value(0),
                                   output_field=MONEY),
            won_count=Count("id", filter=Q(stage__is_won=True)),
            won_amount=Coalesce(Sum("amount", filter=Q(stage__is_won=True)), Value(0),
                                output_field=MONEY),
        )
        .order_by("currency")
    )
    return [AccountRollup(**row) for row in rows]


def pipeline_summary_for(*, viewer: User) -> dict[str, Any]:
    """The home widget: the viewer's own open deals by stage, and what closes this month."""
    own = opportunity_visible(viewer=viewer).filter(owner=viewer, closed_at__isnull=True)
    by_stage = list(
        own.order_by()
        .values("stage__name", "stage__order", "pipeline__name", "currency")
        .annotate(count=Count("id"),
                  amount_total=Coalesce(Sum("amount"), Value(0), output_field=MONEY),
                  weighted_total=Coalesce(Sum(WEIGHTED), Value(0), output_field=MONEY))
        .order_by("pipeline__name", "stage__order", "currency")
    )
    closing_soon = list(
        own.filter(close_date__lte=date.today() + timedelta(days=30))
        .only("pk", "name", "close_date", "amount", "currency")
        .order_by("close_date", "id")[:5]
    )
    return {"by_stage": by_stage, "totals": _totals(by_stage), "closing_soon": closing_soon}


def _totals(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    totals: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"count": 0, "amount": Decimal(0), "weighted": Decimal(0)}
    )
    for row in rows:
        totals[row["currency"]]["count"] += row["count"]
        totals[row["currency"]]["amount"] += row["amount_total"]
        totals[row["currency"]]["weighted"] += row["weighted_total"]
    return dict(totals)
