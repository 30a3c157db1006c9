"""Campaign ROI: leads, conversions and won deals per campaign equal the lead and
opportunity lists their links open (as the same viewer); won amounts per currency without
exchange rates (ROI on the cost's currency only, a note naming the others) and converted
with rates (the conversion note); the viewer's visibility and the rep/team narrowing; the
period picks campaigns that ran in it; a fixed number of queries; tenant isolation."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.accounts.models import Account
from crm.leads.models import Campaign, Lead, LeadStatus
from crm.reports.definitions.campaign_roi import campaign_roi_report
from crm.reports.models import ExchangeRate
from crm.reports.types import ReportFilters
from crm.sales.models import Opportunity
from crm.sales.services import default_pipeline
from tenants.users.models import User
from tests.crm.core.factories import make_team
from tests.crm.reports.follow import api_rows, fresh_users, login

D = Decimal
EVERYONE = ReportFilters()


@pytest.fixture
def people(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        return fresh_users(tenant_a)


def _deal(owner, amount, currency, *, won=True):
    pipeline = default_pipeline()
    stage = pipeline.stages.filter(is_won=won, is_lost=False).order_by("order").first()
    account = Account.objects.create(name=f"Buyer {Account.objects.count()}",
                                     name_normalized=f"buyer {Account.objects.count()}",
                                     owner=owner)
    return Opportunity.objects.create(
        account=account, name=f"Deal {amount} {currency}", amount=D(amount), currency=currency,
        close_date=date(2026, 6, 1), pipeline=pipeline, stage=stage, owner=owner)


def _lead(campaign, owner, *, deal=None, status=LeadStatus.NEW):
    if deal is not None:
        status = LeadStatus.CONVERTED
    return Lead.objects.create(
        campaign=campaign, owner=owner, status=status, company=f"Lead co {Lead.objects.count()}",
        last_name="Buyer", converted_opportunity=deal,
        converted_at=timezone.now() if status == LeadStatus.CONVERTED else None)


def _world(people):
    rep, rep2, manager = people["rep"], people["rep2"], people["manager"]
    team = make_team("East", managers=[manager], members=[rep])
    fair = Campaign.objects.create(name="Spring fair", actual_cost=D("1000"),
                                   start_date=date(2026, 3, 1), end_date=date(2026, 3, 31))
    webinar = Campaign.objects.create(name="Webinar", actual_cost=D("0"),
                                      start_date=date(2026, 5, 1))
    old = Campaign.objects.create(name="Old mailing", actual_cost=D("200"),
                                  start_date=date(2024, 1, 1), end_date=date(2024, 2, 1))
    shared = _deal(rep, "2000", "USD")
    # Two leads of the fair became the same deal: it counts once.
    _lead(fair, rep, deal=shared)
    _lead(fair, rep, deal=shared)
    _lead(fair, rep, deal=_deal(rep, "1000", "USD"))
    _lead(fair, rep2, deal=_deal(rep2, "500", "EUR"))
    _lead(fair, rep2, deal=_deal(rep2, "700", "USD", won=False))  # converted, not won
    _lead(fair, None)
    _lead(fair, rep, status=LeadStatus.WORKING)
    _lead(webinar, manager, deal=_deal(manager, "300", "USD"))
    _lead(webinar, rep2)
    _lead(old, rep, deal=_deal(rep, "50", "USD"))
    _lead(None, rep, deal=_deal(rep, "9999", "USD"))  # no campaign: never counted
    return {"team": team, "fair": fair, "webinar": webinar, "old": old}


def _table(report, key):
    (table,) = [table for table in report.tables if table.key == key]
    return table


def _by_campaign(report):
    return {row.values["campaign"]: row.values for row in _table(report, "roi").rows}


def _assert_rows_equal_their_lists(report, client):
    for row in _table(report, "roi").rows:
        leads = api_rows(client, row.link)
        assert len(leads) == row.values["leads"], row
        converted = api_rows(client, f"{row.link}&status=converted")
        assert len(converted) == row.values["converted"], row
    per_campaign: dict[str, int] = {}
    for row in _table(report, "won").rows:
        deals = api_rows(client, row.link)
        assert len(deals) == row.values["won_deals"], row
        assert sum(D(deal["amount"]) for deal in deals) == row.values["won_amount"], row
        assert {deal["currency"] for deal in deals} == {row.values["currency"]}
        per_campaign[row.values["campaign"]] = per_campaign.get(row.values["campaign"], 0) \
            + row.values["won_deals"]
    for row in _table(report, "roi").rows:
        assert per_campaign.get(row.values["campaign"], 0) == row.values["won_deals"]


def test_each_figure_equals_the_list_it_links_to(tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        for viewer in ("admin", "manager", "readonly"):
            report = campaign_roi_report(people[viewer], EVERYONE)
            _assert_rows_equal_their_lists(report, login(tenant_a, people[viewer]))


def test_without_rates_amounts_stay_per_currency_and_roi_counts_the_costs_currency(
        tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        report = campaign_roi_report(people["admin"], EVERYONE)
    fair = _by_campaign(report)["Spring fair"]
    assert (fair["leads"], fair["converted"], fair["won_deals"]) == (7, 5, 3)
    assert fair["won_amount"] == D("3000.00")  # USD only: 2000 + 1000
    assert fair["cost"] == D("1000.00")
    assert fair["roi"] == D("200.0")
    assert _by_campaign(report)["Webinar"]["roi"] is None  # nothing spent
    won = {(row.values["campaign"], row.values["currency"]): row.values["won_amount"]
           for row in _table(report, "won").rows}
    assert won[("Spring fair", "EUR")] == D("500.00")
    assert won[("Spring fair", "USD")] == D("3000.00")
    assert report.conversion is None
    assert any("EUR" in note for note in report.notes)
    totals = _table(report, "roi").totals
    assert totals["leads"] == 7 + 2 + 1
    assert totals["cost"] == D("1200.00")
    assert totals["won_amount"] == D("3350.00")


def test_with_rates_every_amount_is_converted_and_the_rates_are_shown(
        tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        ExchangeRate.objects.create(currency="EUR", rate=D("1.1"),
                                    valid_from=date.today() - timedelta(days=3))
        report = campaign_roi_report(people["admin"], EVERYONE)
    fair = _by_campaign(report)["Spring fair"]
    assert fair["won_amount"] == D("3550.00")  # 3000 USD + 500 EUR x 1.1
    assert fair["roi"] == D("255.0")
    assert report.conversion is not None
    assert report.conversion.target == "USD"
    assert report.conversion.rates == [("EUR", D("1.1"), date.today() - timedelta(days=3))]
    assert not any("EUR" in note for note in report.notes)


def test_a_manager_counts_their_teams_leads_and_deals_admin_all(tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        admin = _by_campaign(campaign_roi_report(people["admin"], EVERYONE))["Spring fair"]
        manager = _by_campaign(campaign_roi_report(people["manager"], EVERYONE))["Spring fair"]
    assert (admin["leads"], admin["won_deals"]) == (7, 3)
    # The manager's team is rep (4 leads, 2 deals) plus the unassigned lead; rep2 is out.
    assert (manager["leads"], manager["converted"], manager["won_deals"]) == (5, 3, 2)
    assert manager["cost"] == admin["cost"]  # the cost is the campaign's whole cost


def test_rep_and_team_filters_narrow_and_links_carry_them(tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        world = _world(people)
        client = login(tenant_a, people["admin"])
        by_rep = campaign_roi_report(people["admin"], ReportFilters(rep_id=people["rep2"].pk))
        fair = _by_campaign(by_rep)["Spring fair"]
        assert (fair["leads"], fair["won_deals"]) == (2, 1)
        _assert_rows_equal_their_lists(by_rep, client)
        by_team = campaign_roi_report(people["admin"], ReportFilters(team_id=world["team"].pk))
        assert all(f"team={world['team'].pk}" in row.link
                   for table in by_team.tables for row in table.rows)
        assert _by_campaign(by_team)["Spring fair"]["leads"] == 4
        _assert_rows_equal_their_lists(by_team, client)


def test_the_period_picks_the_campaigns_that_ran_in_it(tenant_a, in_tenant, people):
    with in_tenant(tenant_a):
        _world(people)
        everything = campaign_roi_report(people["admin"], EVERYONE)
        this_year = campaign_roi_report(people["admin"], ReportFilters(
            start=date(2026, 1, 1), end=date(2026, 12, 31)))
        april = campaign_roi_report(people["admin"], ReportFilters(
            start=date(2026, 4, 1), end=date(2026, 4, 30)))
    assert set(_by_campaign(everything)) == {"Spring fair", "Webinar", "Old mailing"}
    assert set(_by_campaign(this_year)) == {"Spring fair", "Webinar"}
    assert set(_by_campaign(april)) == set()


@pytest.mark.parametrize("viewer", ["admin", "manager"])
def test_the_report_runs_in_a_fixed_number_of_queries(tenant_a, in_tenant, people, viewer):
    def queries_with(campaigns):
        for index in range(campaigns):
            campaign = Campaign.objects.create(name=f"Budget {campaigns}-{index}",
                                               actual_cost=D("10"))
            _lead(campaign, people["rep"], deal=_deal(people["rep"], "20", "USD"))
            _lead(campaign, people["rep2"], deal=_deal(people["rep2"], "30", "EUR"))
        user = User.objects.get(pk=people[viewer].pk)
        with CaptureQueriesContext(connection) as captured:
            report = campaign_roi_report(user, EVERYONE)
        return len(captured), len(_table(report, "roi").rows)

    with in_tenant(tenant_a):
        make_team("East", managers=[people["manager"]], members=[people["rep"]])
        few, small = queries_with(3)
        many, large = queries_with(27)
    assert (small, large) == (3, 30)
    assert few == many


def test_another_tenants_campaigns_and_leads_never_count(tenant_a, tenant_b, in_tenant,
                                                         people):
    with in_tenant(tenant_a):
        _world(people)
    with in_tenant(tenant_b):
        admin_b = User.objects.get(email="admin@beta.test")
        campaign = Campaign.objects.create(name="Beta expo", actual_cost=D("100"))
        _lead(campaign, admin_b, deal=_deal(admin_b, "150", "USD"))
        report = campaign_roi_report(admin_b, EVERYONE)
    assert list(_by_campaign(report)) == ["Beta expo"]
    assert _by_campaign(report)["Beta expo"]["roi"] == D("50.0")
