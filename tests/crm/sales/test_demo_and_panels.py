from django.urls import reverse

from crm.sales.demo import seed_opportunities
from crm.sales.models import Opportunity, StageHistory
from tests.crm.sales.conftest import stage_named


def test_demo_seeder_is_deterministic_idempotent_and_spreads_history(
    tenant_a, in_tenant, make_account
):
    with in_tenant(tenant_a):
        for index in range(12):
            make_account(f"Demo account {index}", owner=tenant_a.users["rep"])
        seed_opportunities()
        first = sorted(Opportunity.objects.values_list("name", "amount", "stage__name"))
        assert len(first) > 50
        stages = {name for _name, _amount, name in first}
        assert {"Qualification", "Won", "Lost"} <= stages
        assert not Opportunity.objects.filter(stage__is_lost=True, lost_reason="").exists()
        oldest = StageHistory.objects.order_by("entered_at").first()
        assert (Opportunity.objects.latest("created_at").created_at
                - oldest.entered_at).days > 30
        seed_opportunities()
        assert sorted(Opportunity.objects.values_list("name", "amount", "stage__name")) == first


def test_demo_seeder_without_accounts_does_nothing(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        Opportunity.objects.all().delete()
        from crm.accounts.models import Account

        if not Account.objects.exists():
            seed_opportunities()
            assert not Opportunity.objects.exists()


def test_account_page_shows_pipeline_rollup_of_branches(
    tenant_a, tenant_client, in_tenant, make_account, make_opportunity
):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        head = make_account("Panel head", owner=rep)
        branch = make_account("Panel branch", owner=rep, parent=head)
        make_opportunity(owner=rep, account=branch, amount=4321, name="Branch deal",
                         stage=stage_named("Proposal"))
    response = tenant_client(tenant_a, rep).get(
        reverse("crm_accounts:account_detail", args=[head.pk], urlconf="config.urls_tenant"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="account-sales-rollup"' in body
    assert "4,321" in body or "4321" in body
    assert "Branch deal" in body
    agent_body = tenant_client(tenant_a, tenant_a.users["agent"]).get(
        reverse("crm_accounts:account_detail", args=[head.pk], urlconf="config.urls_tenant")
    ).content.decode()
    assert "Branch deal" not in agent_body
