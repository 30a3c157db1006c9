"""Demo data: campaigns (a trade show among them) with costs, leads from every source, a
few converted (some into won deals, so campaign ROI shows real numbers). Deterministic and
idempotent: campaigns are keyed by name, leads by e-mail address."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crm.leads.models import Campaign, CampaignType, Lead, LeadSource, LeadStatus
from tenants.demo import demo_seeder
from tenants.users.models import Role, User, UserKind

CAMPAIGNS = (
    ("Industrial Automation Expo 2026", CampaignType.TRADE_SHOW, 120, 80000, 72000),
    ("Spring product webinar", CampaignType.WEBINAR, 75, 5000, 3200),
    ("Q2 e-mail newsletter", CampaignType.EMAIL, 60, 2000, 1800),
    ("Search advertising", CampaignType.ADVERTISING, 45, 15000, 16500),
    ("上海工博会 2026", CampaignType.TRADE_SHOW, 30, 60000, 58000),
)
COMPANIES = (
    "Northwind Traders", "Contoso Manufacturing", "Fabrikam Robotics", "Tailspin Logistics",
    "Litware Systems", "Adventure Works Cycles", "Wide World Importers", "Proseware Labs",
    "Coho Winery", "Lucerne Publishing", "Margie's Travel", "Trey Research",
    "深圳华强电子有限公司", "杭州西湖科技有限公司", "成都天府软件股份有限公司", "南京金陵制造集团",
    "广州珠江物流有限公司", "苏州园区精密机械有限公司", "武汉光谷激光技术有限公司",
    "青岛海滨食品有限公司",
)
FIRST_NAMES = ("Anna", "Ben", "Chen", "Dana", "Eric", "Fang", "Grace", "Hao", "Ivy", "Jun",
               "Kai", "Lena", "Ming", "Nora", "Owen", "Ping")
LAST_NAMES = ("Smith", "Wang", "Li", "Zhang", "Miller", "Liu", "Chen", "Brown", "Zhao",
              "Huang", "Garcia", "Wu")
TITLES = ("Purchasing manager", "CTO", "Plant manager", "Engineer", "Operations director",
          "", "采购经理", "总经理")
REGIONS = ("North", "East", "South", "West", "华东", "华南")
SOURCES = (LeadSource.WEB_FORM, LeadSource.PORTAL_INQUIRY, LeadSource.IMPORT,
           LeadSource.REFERRAL, LeadSource.MANUAL)
LEAD_COUNT = 60
CONVERT_EVERY = 6  # every sixth lead is converted
WIN_EVERY = 2  # and every second conversion's deal is won


@demo_seeder(name="leads", order=20)
def seed_leads() -> None:
    from crm.leads.services.scoring import scoring_defaults_ensure

    users = {user.email.split("@")[0]: user for user in
             User.objects.filter(email__in=[f"{key}@demo.test" for key in
                                            ("admin", "manager", "rep")])}
    staff = User.objects.filter(is_active=True, kind=UserKind.STAFF).order_by("id")
    # Outside the demo tenant (tests, a fresh workspace) the first users of each role stand in.
    users.setdefault("admin", staff.filter(role=Role.ADMIN).first())
    users.setdefault("manager", staff.filter(role=Role.MANAGER).first())
    users.setdefault("rep", staff.filter(role=Role.SALES_REP).first())
    admin = users["admin"]
    owners = [users[key] for key in ("rep", "manager") if users[key] is not None]
    scoring_defaults_ensure()
    with transaction.atomic():
        campaigns = _seed_campaigns(admin)
        leads = _seed_leads(campaigns, owners, admin)
    if admin is not None:
        _seed_conversions(leads, admin)


def _seed_campaigns(owner: User | None) -> list[Campaign]:
    today = timezone.localdate()
    campaigns = []
    for name, kind, days_ago, budget, cost in CAMPAIGNS:
        start = today - timedelta(days=days_ago)
        campaign, _created = Campaign.objects.get_or_create(
            name=name,
            defaults={"type": kind, "start_date": start, "end_date": start + timedelta(days=3
                      if kind == CampaignType.TRADE_SHOW else 30),
                      "budget": Decimal(budget), "actual_cost": Decimal(cost), "owner": owner,
                      "created_by": owner},
        )
        campaigns.append(campaign)
    return campaigns


def _seed_leads(campaigns: list[Campaign], owners: list[User], actor: User | None) -> list[Lead]:
    from crm.leads.services.leads import lead_create

    rng = random.Random(20)  # noqa: S311 - demo data, not security
    leads = []
    for index in range(LEAD_COUNT):
        email = f"lead{index:03d}@demo-leads.test"
        existing = Lead.objects.filter(email=email).first()
        # Draw the same numbers whether or not the lead exists, so reruns stay identical.
        company = rng.choice(COMPANIES)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        title, region = rng.choice(TITLES), rng.choice(REGIONS)
        campaign = campaigns[index % len(campaigns)] if index % 3 == 0 else None
        source = (LeadSource.TRADE_SHOW if campaign and campaign.type == CampaignType.TRADE_SHOW
                  else LeadSource.CAMPAIGN if campaign else SOURCES[index % len(SOURCES)])
        owner = owners[index % len(owners)] if owners and index % 4 else None  # 1/4 in queue
        status = (LeadStatus.NEW, LeadStatus.WORKING, LeadStatus.NURTURING,
                  LeadStatus.QUALIFIED)[index % 4]
        if existing is not None:
            leads.append(existing)
            continue
        lead = lead_create(
            actor=None, company=company, first_name=first, last_name=last, title=title,
            email=email, phone=f"+86 21 5{index:03d} {rng.randint(1000, 9999)}",
            message="Interested in a quote." if index % 2 else "", region=region,
            source=source, campaign=campaign, owner=owner, status=status,
        )
        lead.created_by = actor
        if index % 5 == 0:
            lead.last_activity_at = timezone.now() - timedelta(days=index % 20)
        lead.save(update_fields=["created_by", "last_activity_at"])
        leads.append(lead)
    if actor is not None:
        from crm.leads.services.leads import lead_disqualify

        for lead in leads[5::11]:
            if lead.status not in (LeadStatus.DISQUALIFIED, LeadStatus.CONVERTED):
                lead_disqualify(lead=lead, actor=actor, reason="No budget this year")
    return leads


def _seed_conversions(leads: list[Lead], actor: User) -> None:
    from crm.leads.services.conversion import lead_convert, strong_duplicates
    from crm.sales.services import opportunity_move_stage

    for position, lead in enumerate(leads[::CONVERT_EVERY]):
        lead.refresh_from_db()
        if lead.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED):
            continue
        with transaction.atomic():
            duplicates = [c for c in strong_duplicates(lead=lead, viewer=actor) if c.visible]
            account = None
            if duplicates:
                from crm.accounts.models import Account

                account = Account.objects.get(pk=duplicates[0].id)
            conversion = lead_convert(
                lead=lead, actor=actor, account=account, create_opportunity=True,
                confirm_new_account=True, amount=Decimal(20000 + 7500 * position),
                close_date=date.today() + timedelta(days=30 + position),
            )
            opportunity = conversion.opportunity
            if opportunity is not None and position % WIN_EVERY == 0:
                won = opportunity.pipeline.stages.filter(is_won=True).first()
                if won is not None:
                    opportunity_move_stage(opportunity=opportunity, stage=won, actor=actor,
                                           override_reason="Demo data")
