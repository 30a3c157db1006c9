import json

import pytest

from crm.accounts.services import account_create
from crm.leads.models import Lead, LeadStatus
from crm.leads.services import campaign_create

pytestmark = pytest.mark.usefixtures("no_rules")

LEAD_BODY = {
    "company": "Globex Corporation", "first_name": "Hank", "last_name": "Scorpio",
    "email": "hank@globex.example", "phone": "+1 555 0199", "source": "web_form",
    "message": "We need 40 units by March.",
}


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_create_lead_with_the_fixed_field_names(tenant_a, tenant_client, in_tenant, people_a):
    client = tenant_client(tenant_a, people_a["rep"])
    response = _post(client, "/api/v1/leads/", LEAD_BODY)
    assert response.status_code == 201, response.content
    body = response.json()
    for key, value in LEAD_BODY.items():
        assert body[key] == value
    assert body["status"] == "new"
    with in_tenant(tenant_a):
        assert Lead.objects.get(pk=body["id"]).created_by_id == people_a["rep"].pk


@pytest.mark.parametrize(("body", "field"), [
    ({**LEAD_BODY, "source": "carrier_pigeon"}, "source"),
    ({**LEAD_BODY, "email": "not-an-address"}, "email"),
    ({"message": "hello"}, "company"),
    ({**LEAD_BODY, "status": "converted"}, "status"),
])
def test_bad_lead_input_is_400_with_field_errors(tenant_a, tenant_client, people_a, body, field):
    response = _post(tenant_client(tenant_a, people_a["rep"]), "/api/v1/leads/", body)
    assert response.status_code == 400
    assert field in response.json()


def test_convert_answers_account_contact_opportunity(tenant_a, tenant_client, in_tenant,
                                                     people_a, make_lead):
    with in_tenant(tenant_a):
        lead = make_lead(actor=people_a["rep"], owner=people_a["rep"], company="Initech")
    client = tenant_client(tenant_a, people_a["rep"])
    response = _post(client, f"/api/v1/leads/{lead.pk}/convert/", {"create_opportunity": True})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"account", "contact", "opportunity"}
    assert all(isinstance(body[key], int) for key in body)
    with in_tenant(tenant_a):
        stored = Lead.objects.get(pk=lead.pk)
        assert stored.status == LeadStatus.CONVERTED
        assert (stored.converted_account_id, stored.converted_contact_id,
                stored.converted_opportunity_id) == (body["account"], body["contact"],
                                                     body["opportunity"])
    again = _post(client, f"/api/v1/leads/{lead.pk}/convert/", {"create_opportunity": True})
    assert again.status_code == 400
    assert "lead" in again.json()


def test_convert_into_existing_account_without_opportunity(tenant_a, tenant_client, in_tenant,
                                                           people_a, make_lead):
    with in_tenant(tenant_a):
        account = account_create(actor=people_a["rep"], name="Umbrella Corp")
        lead = make_lead(actor=people_a["rep"], owner=people_a["rep"], company="Umbrella")
    response = _post(tenant_client(tenant_a, people_a["rep"]),
                     f"/api/v1/leads/{lead.pk}/convert/",
                     {"create_opportunity": False, "account": account.pk})
    assert response.status_code == 200, response.content
    assert response.json()["account"] == account.pk
    assert response.json()["opportunity"] is None


def test_convert_with_unknown_or_invisible_account_is_400(
    tenant_a, tenant_client, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        hidden = account_create(actor=people_a["rep2"], name="Rep two's account")
        lead = make_lead(actor=people_a["rep"], owner=people_a["rep"])
    client = tenant_client(tenant_a, people_a["rep"])
    for account_id in (987654, hidden.pk):
        response = _post(client, f"/api/v1/leads/{lead.pk}/convert/",
                         {"create_opportunity": True, "account": account_id})
        assert response.status_code == 400
        assert "account" in response.json()
    bad_type = _post(client, f"/api/v1/leads/{lead.pk}/convert/", {"account": "x"})
    assert bad_type.status_code == 400


def test_convert_refuses_new_account_next_to_a_strong_duplicate(
    tenant_a, tenant_client, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        existing = account_create(actor=people_a["rep"], name="Soylent Inc.")
        lead = make_lead(actor=people_a["rep"], owner=people_a["rep"], company="SOYLENT")
    client = tenant_client(tenant_a, people_a["rep"])
    response = _post(client, f"/api/v1/leads/{lead.pk}/convert/", {"create_opportunity": True})
    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_account"
    assert existing.pk in [c["id"] for c in response.json()["candidates"]]
    confirmed = _post(client, f"/api/v1/leads/{lead.pk}/convert/",
                      {"create_opportunity": True, "confirm_new_account": True})
    assert confirmed.status_code == 200
    assert confirmed.json()["account"] != existing.pk


def test_other_reps_and_other_tenants_leads_are_404(
    tenant_a, tenant_b, tenant_client, in_tenant, people_a, people_b, make_lead
):
    with in_tenant(tenant_a):
        theirs = make_lead(actor=people_a["rep2"], owner=people_a["rep2"])
    with in_tenant(tenant_b):
        foreign = make_lead(actor=people_b["rep"], owner=people_b["rep"],
                            email="only-in-b@beta.example")
    client = tenant_client(tenant_a, people_a["rep"])
    assert client.get(f"/api/v1/leads/{theirs.pk}/").status_code == 404
    assert _post(client, f"/api/v1/leads/{theirs.pk}/convert/", {}).status_code == 404
    response = client.get(f"/api/v1/leads/{foreign.pk}/")
    assert response.status_code == 404
    admin = tenant_client(tenant_a, people_a["admin"])
    listed = admin.get("/api/v1/leads/", {"search": "only-in-b"})
    assert listed.json()["results"] == []


def test_service_agents_see_no_leads_and_readonly_cannot_write(
    tenant_a, tenant_client, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        lead = make_lead(actor=people_a["rep"])
    agent = tenant_client(tenant_a, people_a["agent"])
    assert agent.get("/api/v1/leads/").json()["results"] == []
    assert agent.get(f"/api/v1/leads/{lead.pk}/").status_code == 404
    assert _post(agent, "/api/v1/leads/", LEAD_BODY).status_code == 403
    readonly = tenant_client(tenant_a, people_a["readonly"])
    assert readonly.get(f"/api/v1/leads/{lead.pk}/").status_code == 200
    assert _post(readonly, "/api/v1/leads/", LEAD_BODY).status_code == 403


def test_filters_search_and_ordering(tenant_a, tenant_client, in_tenant, people_a, make_lead):
    with in_tenant(tenant_a):
        rep = people_a["rep"]
        make_lead(actor=rep, owner=rep, company="Alpha Filter", source="referral")
        make_lead(actor=rep, company="Beta Filter", source="import")
    client = tenant_client(tenant_a, rep)
    referral = client.get("/api/v1/leads/", {"source": "referral"}).json()["results"]
    assert [lead["company"] for lead in referral] == ["Alpha Filter"]
    queue = client.get("/api/v1/leads/", {"unassigned": "true"}).json()["results"]
    assert [lead["company"] for lead in queue] == ["Beta Filter"]
    found = client.get("/api/v1/leads/", {"search": "beta filt"}).json()["results"]
    assert [lead["company"] for lead in found] == ["Beta Filter"]
    ordered = client.get("/api/v1/leads/", {"ordering": "company"}).json()["results"]
    assert [lead["company"] for lead in ordered] == ["Alpha Filter", "Beta Filter"]


def test_lead_list_endpoint_query_budget(tenant_a, tenant_client, in_tenant, people_a,
                                         make_lead, django_assert_max_num_queries):
    with in_tenant(tenant_a):
        campaign = campaign_create(actor=people_a["rep"], name="Budget campaign")
        for _ in range(25):
            make_lead(actor=people_a["rep"], owner=people_a["rep"], campaign=campaign)
    client = tenant_client(tenant_a, people_a["rep"])
    client.get("/api/v1/leads/")  # warm the session and caches
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/leads/", {"page_size": 25})
    assert len(response.json()["results"]) == 25


def test_campaign_endpoint_create_list_and_budget(tenant_a, tenant_client, people_a,
                                                  django_assert_max_num_queries):
    client = tenant_client(tenant_a, people_a["rep"])
    created = _post(client, "/api/v1/campaigns/",
                    {"name": "Webinar 1", "type": "webinar", "actual_cost": "250.00"})
    assert created.status_code == 201, created.content
    assert created.json()["lead_count"] == 0
    assert _post(client, "/api/v1/campaigns/", {"name": "X", "type": "radio"}).status_code == 400
    for index in range(5):
        _post(client, "/api/v1/campaigns/", {"name": f"C{index}", "actual_cost": "10"})
    with django_assert_max_num_queries(8):
        listed = client.get("/api/v1/campaigns/")
    assert len(listed.json()["results"]) == 6
    agent = tenant_client(tenant_a, people_a["agent"])
    assert agent.get(f"/api/v1/campaigns/{created.json()['id']}/").status_code == 404
