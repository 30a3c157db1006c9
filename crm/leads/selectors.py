"""Reads of leads and campaigns that the pages and the API share.

Visibility: leads are sales records. Sales reps see their own, their teams' and the
unassigned queue; managers their teams' and the queue; admins and read-only users all;
service agents (and anyone else without sales work) see none. Campaigns are visible to
everyone who may see leads.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from crm.core.visibility import scope_by_owner
from crm.leads.models import Campaign, Lead, LeadStatus
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

ZERO = Decimal("0")


def sees_leads(viewer: User) -> bool:
    return can(viewer, Capability.USE_CRM) and (
        can(viewer, Capability.MANAGE_SALES) or can(viewer, Capability.SEE_ALL_RECORDS)
    )


def leads_visible_to(viewer: User) -> QuerySet[Lead]:
    """Every lead ``viewer`` may see (no lead at all for roles without sales work)."""
    if not sees_leads(viewer):
        return Lead.objects.none()
    return scope_by_owner(Lead.objects.all(), viewer)


def lead_get_for(*, viewer: User, lead_id: int | str) -> Lead:
    """The lead with this id if ``viewer`` may see it; Http404 for "not yours" and "no such
    lead" alike."""
    try:
        pk = int(lead_id)
    except (TypeError, ValueError):
        raise Http404 from None
    lead = (
        leads_visible_to(viewer)
        .select_related("owner", "campaign", "converted_account", "converted_contact",
                        "converted_opportunity")
        .filter(pk=pk)
        .first()
    )
    if lead is None:
        raise Http404
    return lead


@dataclass(frozen=True)
class LeadFilters:
    status: str = ""
    source: str = ""
    campaign_id: int | None = None
    owner_id: int | None = None
    unassigned: bool = False
    mine: bool = False
    region: str = ""
    search: str = ""
    include_closed: bool = True
    ordering: str = "-created_at"
    statuses: tuple[str, ...] = field(default_factory=tuple)


LEAD_ORDERINGS = ("created_at", "-created_at", "score", "-score", "company", "-company",
                  "updated_at", "-updated_at")


CLOSED_LEAD_STATUSES = (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED)


def lead_search(queryset: QuerySet[Lead], search: str) -> QuerySet[Lead]:
    """``queryset`` narrowed to leads whose company, name, e-mail or phone contains
    ``search`` (the list page's search box and the FilterSet's ``q``)."""
    term = search.strip()
    if not term:
        return queryset
    return queryset.filter(
        Q(company__icontains=term) | Q(first_name__icontains=term)
        | Q(last_name__icontains=term) | Q(email__icontains=term) | Q(phone__icontains=term)
    )


def lead_list(*, viewer: User, filters: LeadFilters | None = None) -> QuerySet[Lead]:
    filters = filters or LeadFilters()
    queryset = leads_visible_to(viewer).select_related("owner", "campaign")
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.statuses:
        queryset = queryset.filter(status__in=filters.statuses)
    if not filters.include_closed:
        queryset = queryset.exclude(status__in=CLOSED_LEAD_STATUSES)
    if filters.source:
        queryset = queryset.filter(source=filters.source)
    if filters.campaign_id:
        queryset = queryset.filter(campaign_id=filters.campaign_id)
    if filters.unassigned:
        queryset = queryset.filter(owner__isnull=True)
    elif filters.mine:
        queryset = queryset.filter(owner=viewer)
    elif filters.owner_id:
        queryset = queryset.filter(owner_id=filters.owner_id)
    if filters.region:
        queryset = queryset.filter(region__iexact=filters.region)
    queryset = lead_search(queryset, filters.search)
    ordering = filters.ordering if filters.ordering in LEAD_ORDERINGS else "-created_at"
    return queryset.order_by(ordering, "-id")


def lead_queue(*, viewer: User) -> QuerySet[Lead]:
    """Open leads nobody owns yet, for the viewer to take."""
    return lead_list(viewer=viewer, filters=LeadFilters(unassigned=True, include_closed=False))


def lead_owner_choices() -> QuerySet[User]:
    """Users a lead may be assigned to (active sales staff)."""
    from crm.leads.services.assignment import can_own_leads

    users = User.objects.filter(is_active=True, kind=UserKind.STAFF).order_by(
        "first_name", "last_name", "email"
    )
    ids = [user.pk for user in users if can_own_leads(user)]
    return users.filter(pk__in=ids)


# Campaigns -------------------------------------------------------------------------------

def campaigns_visible_to(viewer: User) -> QuerySet[Campaign]:
    if not sees_leads(viewer):
        return Campaign.objects.none()
    return Campaign.objects.all()


def with_campaign_stats(queryset: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Annotate each campaign with lead_count, converted_count and won_revenue (the amounts
    of won opportunities its converted leads became). One grouped query, no fan-out: each
    lead has at most one opportunity."""
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=2)
    return queryset.annotate(
        lead_count=Count("leads", distinct=True),
        converted_count=Count("leads", filter=Q(leads__status=LeadStatus.CONVERTED),
                              distinct=True),
        won_revenue=Coalesce(
            Sum("leads__converted_opportunity__amount",
                filter=Q(leads__converted_opportunity__stage__is_won=True)),
            Value(ZERO), output_field=money,
        ),
    )


def campaign_list(*, viewer: User, search: str = "", type: str = "") -> QuerySet[Campaign]:
    queryset = with_campaign_stats(campaigns_visible_to(viewer)).select_related("owner")
    if search:
        queryset = queryset.filter(name__icontains=search.strip())
    if type:
        queryset = queryset.filter(type=type)
    return queryset.order_by("-start_date", "-id")


def campaign_get_for(*, viewer: User, campaign_id: int | str) -> Campaign:
    """The campaign (with its stats) if ``viewer`` may see campaigns; Http404 otherwise."""
    try:
        pk = int(campaign_id)
    except (TypeError, ValueError):
        raise Http404 from None
    campaign = (
        with_campaign_stats(campaigns_visible_to(viewer)).select_related("owner")
        .filter(pk=pk).first()
    )
    if campaign is None:
        raise Http404
    return campaign


@dataclass(frozen=True)
class CampaignResults:
    leads: int
    converted: int
    won_revenue: Decimal
    actual_cost: Decimal
    budget: Decimal

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.leads if self.leads else None

    @property
    def roi(self) -> Decimal | None:
        """(won revenue - actual cost) / actual cost; None while nothing was spent."""
        if not self.actual_cost:
            return None
        return ((self.won_revenue - self.actual_cost) / self.actual_cost).quantize(
            Decimal("0.0001")
        )

    @property
    def roi_percent(self) -> Decimal | None:
        roi = self.roi
        return None if roi is None else (roi * 100).quantize(Decimal("0.1"))


def campaign_results(campaign: Campaign) -> CampaignResults:
    """ROI figures of a campaign from ``with_campaign_stats`` (annotated) or by querying."""
    if not hasattr(campaign, "lead_count"):
        campaign = with_campaign_stats(Campaign.objects.filter(pk=campaign.pk)).get()
    # The annotations of with_campaign_stats (not model fields, so read by name).
    stats = {name: getattr(campaign, name)
             for name in ("lead_count", "converted_count", "won_revenue")}
    return CampaignResults(
        leads=stats["lead_count"],
        converted=stats["converted_count"],
        won_revenue=stats["won_revenue"] or ZERO,
        actual_cost=campaign.actual_cost or ZERO,
        budget=campaign.budget or ZERO,
    )
