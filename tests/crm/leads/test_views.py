import pytest

from crm.accounts.services import account_create
from crm.leads.models import Lead, LeadStatus, ScoringRule
from crm.leads.services import campaign_create

pytestmark = pytest.mark.usefixtures("no_rules")


def test_lead_list_page_shows_visible_leads_and_the_queue(
    tenant_a, tenant_client, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        mine = make_lead(actor=people_a["rep"], owner=people_a["rep"], company="Mine Ltd")
        make_lead(actor=people_a["rep"], company="Queue Ltd")
        make_lead(actor=people_a["rep2"], owner=people_a["rep2"], company="Secret Ltd")
    client = tenant_client(tenant_a, people_a["rep"])
    page = client.get("/crm/leads/").content.decode()
    assert "Mine Ltd" in page
    assert "Queue Ltd" in page
    assert "Secret Ltd" not in page
    queue = client.get("/crm/leads/", {"owner": "queue"}).content.decode()
    assert "Queue Ltd" in queue
    assert "Mine Ltd" not in queue
    assert client.get(f"/crm/leads/{mine.pk}/").status_code == 200


def test_lead_list_page_query_budget(tenant_a, tenant_client, in_tenant, people_a, make_lead,
                                     django_assert_max_num_queries):
    with in_tenant(tenant_a):
        campaign = campaign_create(actor=people_a["rep"], name="Page budget")
        for _ in range(30):
            make_lead(actor=people_a["rep"], owner=people_a["rep"], campaign=campaign)
    client = tenant_client(tenant_a, people_a["rep"])
    client.get("/crm/leads/")
    with django_assert_max_num_queries(16):
        response = client.get("/crm/leads/")
    assert response.status_code == 200
    assert response.content.decode().count("/crm/leads/") >= 30


def test_campaign_list_page_query_budget(tenant_a, tenant_client, in_tenant, people_a,
                                         django_assert_max_num_queries):
    with in_tenant(tenant_a):
        for index in range(12):
            campaign_create(actor=people_a["rep"], name=f"Campaign {index}", actual_cost=100)
    client = tenant_client(tenant_a, people_a["rep"])
    client.get("/crm/campaigns/")
    with django_assert_max_num_queries(12):
        response = client.get("/crm/campaigns/")
    assert "Campaign 11" in response.content.decode()


def test_other_reps_and_other_tenants_lead_pages_are_404(
    tenant_a, tenant_b, tenant_client, in_tenant, people_a, people_b, make_lead
):
    with in_tenant(tenant_a):
        theirs = make_lead(actor=people_a["rep2"], owner=people_a["rep2"])
    with in_tenant(tenant_b):
        foreign = make_lead(actor=people_b["rep"], owner=people_b["rep"], company="Beta only")
    client = tenant_client(tenant_a, people_a["rep"])
    for url in (f"/crm/leads/{theirs.pk}/", f"/crm/leads/{theirs.pk}/edit/",
                f"/crm/leads/{theirs.pk}/convert/"):
        assert client.get(url).status_code == 404
    admin = tenant_client(tenant_a, people_a["admin"])
    response = admin.get(f"/crm/leads/{foreign.pk}/")
    assert response.status_code == 404


def test_service_agent_cannot_open_lead_pages(tenant_a, tenant_client, people_a):
    agent = tenant_client(tenant_a, people_a["agent"])
    assert agent.get("/crm/leads/").status_code == 403
    assert agent.get("/crm/campaigns/").status_code == 403


def test_create_page_rerenders_with_errors_and_creates(tenant_a, tenant_client, in_tenant,
                                                       people_a):
    client = tenant_client(tenant_a, people_a["rep"])
    bad = client.post("/crm/leads/new/", {"source": "web_form", "email": "nope"})
    assert bad.status_code == 200
    assert 'class="error"' in bad.content.decode()
    good = client.post("/crm/leads/new/", {"company": "Form Co", "last_name": "Jones",
                                           "source": "manual"})
    assert good.status_code == 302
    with in_tenant(tenant_a):
        assert Lead.objects.filter(company="Form Co").exists()


def test_convert_page_has_stable_ids_and_converts(tenant_a, tenant_client, in_tenant, people_a,
                                                 make_lead):
    with in_tenant(tenant_a):
        lead = make_lead(actor=people_a["rep"], owner=people_a["rep"], company="Page Convert")
    client = tenant_client(tenant_a, people_a["rep"])
    page = client.get(f"/crm/leads/{lead.pk}/convert/").content.decode()
    assert 'id="convert-form"' in page
    assert 'id="convert-submit"' in page
    response = client.post(f"/crm/leads/{lead.pk}/convert/",
                           {"account": "new", "create_opportunity": "on"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        stored = Lead.objects.get(pk=lead.pk)
        assert stored.status == LeadStatus.CONVERTED
        assert stored.converted_opportunity_id is not None
    detail = client.get(f"/crm/leads/{lead.pk}/").content.decode()
    assert 'id="converted-opportunity"' in detail


def test_convert_page_offers_the_duplicate_and_refuses_silent_new(
    tenant_a, tenant_client, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        account = account_create(actor=people_a["rep"], name="Duplicate Dynamics GmbH")
        lead = make_lead(actor=people_a["rep"], owner=people_a["rep"],
                         company="Duplicate Dynamics")
    client = tenant_client(tenant_a, people_a["rep"])
    page = client.get(f"/crm/leads/{lead.pk}/convert/").content.decode()
    assert f'value="{account.pk}"' in page
    detail = client.get(f"/crm/leads/{lead.pk}/").content.decode()
    assert "Duplicate Dynamics GmbH" in detail
    refused = client.post(f"/crm/leads/{lead.pk}/convert/", {"account": "new"})
    assert refused.status_code == 200
    assert "exist already" in refused.content.decode()
    chosen = client.post(f"/crm/leads/{lead.pk}/convert/", {"account": str(account.pk)})
    assert chosen.status_code == 302
    with in_tenant(tenant_a):
        assert Lead.objects.get(pk=lead.pk).converted_account_id == account.pk


def test_quick_entry_page_saves_rows(tenant_a, tenant_client, in_tenant, people_a):
    with in_tenant(tenant_a):
        campaign = campaign_create(actor=people_a["rep"], name="Card show", type="trade_show")
    client = tenant_client(tenant_a, people_a["rep"])
    url = f"/crm/campaigns/{campaign.pk}/cards/"
    assert client.get(url).status_code == 200
    data = {"cards-TOTAL_FORMS": "3", "cards-INITIAL_FORMS": "0", "cards-MIN_NUM_FORMS": "0",
            "cards-MAX_NUM_FORMS": "200", "cards-0-company": "Card One",
            "cards-0-last_name": "Lee", "cards-2-company": "Card Three",
            "cards-2-email": "three@card.example", "assign_to_me": "1"}
    assert client.post(url, data).status_code == 302
    with in_tenant(tenant_a):
        assert Lead.objects.filter(campaign=campaign, owner=people_a["rep"]).count() == 2
    data["cards-2-email"] = "broken"
    assert client.post(url, data).status_code == 200
    with in_tenant(tenant_a):
        assert Lead.objects.filter(campaign=campaign).count() == 2


def test_rule_settings_need_manage_settings(tenant_a, tenant_client, in_tenant, people_a):
    assert tenant_client(tenant_a, people_a["manager"]).get("/crm/leads/rules/").status_code \
        == 403
    admin = tenant_client(tenant_a, people_a["admin"])
    assert admin.get("/crm/leads/rules/").status_code == 200
    response = admin.post("/crm/leads/rules/scoring/new/", {
        "name": "Referrals", "criterion": "source_is", "value": "referral", "points": "25",
        "order": "1", "active": "on"})
    assert response.status_code == 302
    bad = admin.post("/crm/leads/rules/assignment/new/", {
        "name": "RR", "strategy": "round_robin", "order": "1", "active": "on"})
    assert bad.status_code == 200
    with in_tenant(tenant_a):
        assert ScoringRule.objects.filter(name="Referrals", points=25).exists()


def test_lead_form_duplicate_check_while_typing(tenant_a, tenant_client, in_tenant, people_a):
    with in_tenant(tenant_a):
        account_create(actor=people_a["rep"], name="中国工商银行北京分行")
    client = tenant_client(tenant_a, people_a["rep"])
    form = client.get("/crm/leads/new/").content.decode()
    assert "/crm/leads/duplicates/check/" in form
    hit = client.get("/crm/leads/duplicates/check/", {"company": "中国工商银行北京分行"})
    assert "中国工商银行北京分行" in hit.content.decode()
    miss = client.get("/crm/leads/duplicates/check/", {"company": "Zzyzx Unrelated"})
    assert "中国工商银行" not in miss.content.decode()
