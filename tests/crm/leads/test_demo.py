import pytest

from crm.leads.demo import CAMPAIGNS, LEAD_COUNT, seed_leads
from crm.leads.models import Campaign, Lead, LeadSource, LeadStatus

pytestmark = pytest.mark.usefixtures("no_rules")


def test_demo_seeder_is_deterministic_and_idempotent(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        seed_leads()
        first = sorted(Lead.objects.values_list("email", "company", "status", "source"))
        converted = Lead.objects.filter(status=LeadStatus.CONVERTED).count()
        seed_leads()
        assert sorted(Lead.objects.values_list("email", "company", "status", "source")) == first
        assert Lead.objects.count() == LEAD_COUNT
        assert Campaign.objects.count() == len(CAMPAIGNS)
        assert converted >= 5
        assert Lead.objects.filter(status=LeadStatus.CONVERTED).count() == converted
        sources = set(Lead.objects.values_list("source", flat=True))
        assert {LeadSource.TRADE_SHOW, LeadSource.WEB_FORM, LeadSource.REFERRAL} <= sources
        assert Lead.objects.filter(owner__isnull=True).exists()
