from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.leads.models import CampaignType, Lead, LeadSource
from crm.leads.selectors import campaign_get_for, campaign_list, campaign_results
from crm.leads.services import campaign_create, campaign_quick_entry, lead_convert
from crm.sales.models import Opportunity

pytestmark = pytest.mark.usefixtures("no_rules")


def _win(opportunity: Opportunity) -> None:
    won = opportunity.pipeline.stages.get(is_won=True)
    Opportunity.objects.filter(pk=opportunity.pk).update(stage=won, closed_at=timezone.now())


def test_campaign_roi_counts_converted_leads_and_won_revenue(
    tenant_a, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        rep = people_a["rep"]
        campaign = campaign_create(actor=rep, name="Expo", type=CampaignType.TRADE_SHOW,
                                   budget=Decimal("1500"), actual_cost=Decimal("1000"))
        won_lead = make_lead(actor=rep, owner=rep, campaign=campaign)
        open_lead = make_lead(actor=rep, owner=rep, campaign=campaign)
        make_lead(actor=rep, owner=rep, campaign=campaign)  # not converted
        won = lead_convert(lead=won_lead, actor=rep, amount=Decimal("3000")).opportunity
        lead_convert(lead=open_lead, actor=rep, amount=Decimal("500"))
        _win(won)
        results = campaign_results(campaign_get_for(viewer=rep, campaign_id=campaign.pk))
        assert (results.leads, results.converted) == (3, 2)
        assert results.won_revenue == Decimal("3000")
        assert results.roi == Decimal("2.0000")  # (3000 - 1000) / 1000
        assert results.roi_percent == Decimal("200.0")


def test_roi_is_negative_when_revenue_is_below_cost_and_none_without_cost(
    tenant_a, in_tenant, people_a
):
    with in_tenant(tenant_a):
        rep = people_a["rep"]
        costly = campaign_create(actor=rep, name="Ads", actual_cost=Decimal("400"))
        free = campaign_create(actor=rep, name="Word of mouth")
        rows = {c.pk: campaign_results(c) for c in campaign_list(viewer=rep)}
        assert rows[costly.pk].roi == Decimal("-1.0000")
        assert rows[free.pk].roi is None


def test_campaign_dates_must_be_in_order(tenant_a, in_tenant, people_a):
    with in_tenant(tenant_a), pytest.raises(ValidationError) as error:
        campaign_create(actor=people_a["rep"], name="Backwards",
                        start_date=timezone.localdate(),
                        end_date=timezone.localdate() - timezone.timedelta(days=1))
    assert "end_date" in error.value.message_dict


def test_trade_show_quick_entry_creates_many_leads_of_the_campaign(
    tenant_a, in_tenant, people_a
):
    with in_tenant(tenant_a):
        rep = people_a["rep"]
        campaign = campaign_create(actor=rep, name="Canton Fair", type=CampaignType.TRADE_SHOW)
        cards = [
            {"company": "深圳华强电子有限公司", "last_name": "王", "phone": "+86 755 1234 5678"},
            {},  # an empty row is skipped
            {"company": "Acme", "first_name": "Road", "last_name": "Runner",
             "email": "rr@acme.example"},
        ]
        leads = campaign_quick_entry(campaign=campaign, actor=rep, cards=cards, owner=rep)
        assert len(leads) == 2
        stored = Lead.objects.filter(campaign=campaign)
        assert stored.count() == 2
        assert set(stored.values_list("source", flat=True)) == {LeadSource.TRADE_SHOW}
        assert set(stored.values_list("owner", flat=True)) == {rep.pk}


def test_quick_entry_is_all_or_nothing_and_names_the_bad_row(tenant_a, in_tenant, people_a):
    with in_tenant(tenant_a):
        rep = people_a["rep"]
        campaign = campaign_create(actor=rep, name="Webinar", type=CampaignType.WEBINAR)
        cards = [{"company": "Good Co"}, {"company": "Bad Co", "email": "not-an-address"}]
        with pytest.raises(ValidationError) as error:
            campaign_quick_entry(campaign=campaign, actor=rep, cards=cards)
        assert "row_2" in error.value.message_dict
        assert not Lead.objects.filter(campaign=campaign).exists()
