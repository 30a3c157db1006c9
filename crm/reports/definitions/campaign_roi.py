"""Campaign ROI: per campaign, its leads, the leads converted, the won opportunities those
leads became and their amount, the campaign's cost, and
``ROI = (won amount - cost) / cost`` (in percent; none while nothing was spent).

Which campaigns: those running in the period (``start_date`` <= the period's end and
``end_date`` >= its start, an open end counting as running; campaigns without dates always
count); without a period, every campaign. Their figures count every lead of the campaign,
whenever created: a campaign's return arrives after it ends.

Visibility: leads through crm.leads.selectors.leads_visible_to, won deals through
crm.sales.selectors.opportunity_visible (each narrowed to the rep or team), so a manager
sees the return their teams made on a campaign. The cost is the campaign's whole cost, in
the workspace currency (campaigns have no currency of their own).

Money: won amounts are listed per currency in the second table. ROI needs them in the
cost's currency: without exchange rates the ROI table counts the deals in the workspace
currency only (a note names the others); with rates every amount is converted
(crm.reports.currency) and the conversion note lists the rates."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.core.money import round_money
from crm.leads.models import Campaign, LeadStatus
from crm.leads.selectors import campaigns_visible_to, leads_visible_to
from crm.reports.currency import MoneyBuckets, rate_table, workspace_currency
from crm.reports.definitions._listing import list_link, narrowed_owner_ids, owner_params
from crm.reports.registry import register_report
from crm.reports.types import (
    Chart,
    Column,
    ConversionNote,
    Report,
    ReportFilters,
    ReportTable,
    Row,
    Series,
)
from crm.sales.selectors import opportunity_visible
from tenants.users.models import Role, User

LEADS_LIST = "leads:lead_list"
OPPORTUNITIES_LIST = "sales:opportunity_list"
ZERO = Decimal(0)


def roi_percent(won: Decimal, cost: Decimal) -> Decimal | None:
    """(won - cost) / cost in percent, one decimal; None when nothing was spent."""
    if not cost:
        return None
    return ((won - cost) * 100 / cost).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _campaigns(viewer: User, filters: ReportFilters) -> QuerySet[Campaign]:
    campaigns = campaigns_visible_to(viewer)
    if filters.end is not None:
        campaigns = campaigns.filter(Q(start_date__isnull=True) | Q(start_date__lte=filters.end))
    if filters.start is not None:
        campaigns = campaigns.filter(Q(end_date__isnull=True) | Q(end_date__gte=filters.start))
    return campaigns.order_by("-start_date", "name", "pk")


@register_report(
    "campaign-roi", title=cast(str, gettext_lazy("Campaign ROI")),
    description=cast(str, gettext_lazy(
        "Leads, conversions, won deals and return on each campaign's cost.")),
    roles={Role.ADMIN, Role.MANAGER, Role.READ_ONLY}, order=60)
def campaign_roi_report(viewer: User, filters: ReportFilters) -> Report:
    campaigns = list(_campaigns(viewer, filters).only("pk", "name", "actual_cost"))
    ids = [campaign.pk for campaign in campaigns]
    owners = narrowed_owner_ids(filters)
    narrowing = owner_params(filters)

    leads = leads_visible_to(viewer).filter(campaign_id__in=ids)
    won = opportunity_visible(viewer=viewer).filter(stage__is_won=True,
                                                    source_leads__campaign_id__in=ids)
    if owners is not None:
        leads = leads.filter(owner_id__in=owners)
        won = won.filter(owner_id__in=owners)
    lead_counts = {row["campaign_id"]: row for row in (
        leads.order_by().values("campaign_id")
        .annotate(leads=Count("pk"),
                  converted=Count("pk", filter=Q(status=LeadStatus.CONVERTED))))}
    # One row per (deal, campaign): a deal two leads of one campaign became counts once.
    deals: dict[int, set[int]] = defaultdict(set)
    deals_per_currency: dict[tuple[int, str], int] = defaultdict(int)
    amounts = MoneyBuckets()
    for deal_id, campaign_id, currency, amount in (
            won.order_by().values_list("pk", "source_leads__campaign_id", "currency", "amount")
            .distinct()):
        code = currency.upper()
        deals[campaign_id].add(deal_id)
        deals_per_currency[(campaign_id, code)] += 1
        amounts.add((campaign_id, code), code, amount)

    target = workspace_currency()
    rates = rate_table(on=filters.end)
    notes: list[str] = []
    conversion: ConversionNote | None = None
    currencies = amounts.currencies()
    if rates is not None:
        conversion = rates.note(currencies)
        target = rates.target
        missing = amounts.unconvertible(rates)
        if missing:
            notes.append(_("No exchange rate for %(codes)s: those won amounts are left out "
                           "of the ROI.") % {"codes": ", ".join(missing)})
    else:
        others = [code for code in currencies if code != target]
        if others:
            notes.append(_("The ROI counts won amounts in %(target)s only (the cost's "
                           "currency); amounts in %(codes)s are listed per currency. Set "
                           "exchange rates to convert them.")
                         % {"target": target, "codes": ", ".join(others)})

    def won_in_target(campaign_id: int) -> Decimal:
        total = ZERO
        for code in currencies:
            key = (campaign_id, code)
            if rates is not None:
                total += amounts.converted(key, rates)
            elif code == target:
                total += amounts.get(key, code)
        return round_money(total, target)

    roi_rows: list[Row] = []
    totals: dict[str, Any] = {"leads": 0, "converted": 0, "won_deals": 0,
                              "won_amount": ZERO, "cost": ZERO}
    for campaign in campaigns:
        counts = lead_counts.get(campaign.pk, {"leads": 0, "converted": 0})
        won_amount = won_in_target(campaign.pk)
        cost = round_money(campaign.actual_cost or ZERO, target)
        values = {"campaign": campaign.name, "leads": counts["leads"],
                  "converted": counts["converted"], "won_deals": len(deals[campaign.pk]),
                  "won_amount": won_amount, "cost": cost,
                  "roi": roi_percent(won_amount, cost)}
        for key in totals:
            totals[key] += values[key]
        roi_rows.append(Row(values=values, link=list_link(
            LEADS_LIST, [("campaign", campaign.pk), *narrowing])))
    totals["roi"] = roi_percent(totals["won_amount"], totals["cost"])
    totals["campaign"] = _("Total")
    roi_table = ReportTable(
        key="roi", title=_("Return on campaigns"), currency=target,
        columns=[Column("campaign", _("Campaign")), Column("leads", _("Leads"), "int"),
                 Column("converted", _("Converted"), "int"),
                 Column("won_deals", _("Won deals"), "int"),
                 Column("won_amount", _("Won amount"), "money"),
                 Column("cost", _("Cost"), "money"), Column("roi", _("ROI"), "percent")],
        rows=roi_rows, totals=totals,
        chart=Chart(kind="bar", label_column="campaign",
                    series=(Series("won_amount", _("Won amount")),
                            Series("cost", _("Cost")))))

    won_rows = [
        Row(values={"campaign": campaign.name, "currency": code,
                    "won_deals": deals_per_currency[(campaign.pk, code)],
                    "won_amount": round_money(amounts.get((campaign.pk, code), code), code)},
            link=list_link(OPPORTUNITIES_LIST, [("campaign", campaign.pk), ("status", "won"),
                                                ("currency", code), *narrowing]))
        for campaign in campaigns for code in currencies
        if deals_per_currency[(campaign.pk, code)]
    ]
    won_table = ReportTable(
        key="won", title=_("Won deals per currency"),
        columns=[Column("campaign", _("Campaign")), Column("currency", _("Currency")),
                 Column("won_deals", _("Won deals"), "int"),
                 Column("won_amount", _("Won amount"), "money")],
        rows=won_rows)
    return Report(slug="campaign-roi", title=_("Campaign ROI"), tables=[roi_table, won_table],
                  filters=filters, conversion=conversion, notes=notes)
