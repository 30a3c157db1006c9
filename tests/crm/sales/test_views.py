import json
from datetime import date, timedelta

import pytest
from django.urls import reverse

from crm.sales.models import Opportunity, Pipeline, StageHistory
from tests.crm.core.factories import make_team
from tests.crm.sales.conftest import stage_named


def _url(name: str, *args) -> str:
    return reverse(f"sales:{name}", args=args, urlconf="config.urls_tenant")


@pytest.mark.parametrize("role", ["rep", "manager", "admin", "readonly"])
def test_list_page_renders_within_query_budget(
    role, tenant_a, tenant_client, in_tenant, make_opportunity, django_assert_max_num_queries
):

    with in_tenant(tenant_a):
        team = make_team("List team", managers=[tenant_a.users["manager"]])
        team.members.add(tenant_a.users["rep"])
        for _index in range(12):
            make_opportunity(owner=tenant_a.users["rep"])
    client = tenant_client(tenant_a, tenant_a.users[role])
    with django_assert_max_num_queries(14):
        response = client.get(_url("opportunity_list"))
    assert response.status_code == 200
    assert response.content.count(b"data-opportunity-id=") >= 12


def test_list_page_filters_by_stage_and_search(tenant_a, tenant_client, in_tenant,
                                               make_opportunity):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        make_opportunity(owner=rep, name="Turbine upgrade")
        proposal = make_opportunity(owner=rep, name="Pump order", stage=stage_named("Proposal"))
        stage_id = proposal.stage_id
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    response = client.get(_url("opportunity_list"), {"stage": stage_id})
    assert b"Pump order" in response.content
    assert b"Turbine upgrade" not in response.content
    response = client.get(_url("opportunity_list"), {"q": "turbine"})
    assert b"Turbine upgrade" in response.content
    assert b"Pump order" not in response.content
    # Bad filter input re-renders the form instead of failing.
    response = client.get(_url("opportunity_list"), {"close_from": "not-a-date"})
    assert response.status_code == 200


def test_service_agent_has_no_sales_pages(tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users["agent"])
    assert client.get(_url("opportunity_list")).status_code == 403
    assert client.get(_url("forecast")).status_code == 403


def test_detail_is_404_for_another_rep_and_another_tenant(
    tenant_a, tenant_b, tenant_client, in_tenant, make_opportunity
):
    with in_tenant(tenant_a):
        mine = make_opportunity(owner=tenant_a.users["rep"])
    with in_tenant(tenant_b):
        theirs = make_opportunity(owner=tenant_b.users["rep"])
    rep = tenant_client(tenant_a, tenant_a.users["rep"])
    assert rep.get(_url("opportunity_detail", mine.pk)).status_code == 200
    rep2 = tenant_client(tenant_a, tenant_a.users["rep2"])
    assert rep2.get(_url("opportunity_detail", mine.pk)).status_code == 404
    assert rep2.post(_url("opportunity_move", mine.pk), {"stage": 1}).status_code == 404
    admin_a = tenant_client(tenant_a, tenant_a.users["admin"])
    assert admin_a.get(_url("opportunity_detail", theirs.pk)).status_code == 404
    with in_tenant(tenant_a):
        assert not Opportunity.objects.filter(pk=theirs.pk, name=theirs.name).exists()


def test_detail_shows_stage_path_history_and_committee(tenant_a, tenant_client, in_tenant,
                                                       make_opportunity):
    from crm.accounts.models import Contact
    from crm.sales.services import opportunity_contact_set

    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        opportunity = make_opportunity(owner=rep)
        contact = Contact.objects.create(account=opportunity.account, last_name="Zhang",
                                         first_name="Wei", buying_role="decision_maker",
                                         influence=5, attitude="supporter", covered_by=rep)
        opportunity_contact_set(opportunity=opportunity, contact=contact, actor=rep)
    response = tenant_client(tenant_a, rep).get(_url("opportunity_detail", opportunity.pk))
    body = response.content.decode()
    assert 'id="stage-path"' in body
    assert "Budget confirmed" in body
    assert 'id="stage-history"' in body
    assert "Wei Zhang" in body
    assert "5/5" in body


def test_key_action_toggle_via_htmx_then_move(tenant_a, tenant_client, in_tenant,
                                              make_opportunity):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        opportunity = make_opportunity(owner=rep)
        required = list(stage_named("Qualification").key_actions.filter(required=True))
        target = stage_named("Needs analysis")
    client = tenant_client(tenant_a, rep)
    refused = client.post(_url("opportunity_move", opportunity.pk), {"stage": target.pk},
                          HTTP_ACCEPT="application/json")
    assert refused.status_code == 400
    payload = refused.json()
    assert payload["code"] == "key_actions_incomplete"
    assert {item["id"] for item in payload["missing"]} == {a.pk for a in required}
    assert payload["can_override"] is False
    for action in required:
        response = client.post(_url("opportunity_key_action", opportunity.pk, action.pk),
                               {"done": "1"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert f'id="key-action-{action.pk}"' in response.content.decode()
    moved = client.post(_url("opportunity_move", opportunity.pk), {"stage": target.pk},
                        HTTP_ACCEPT="application/json")
    assert moved.status_code == 200
    assert moved.json()["stage"] == target.pk


def test_manager_override_from_board_and_lost_reason(tenant_a, tenant_client, in_tenant,
                                                     make_opportunity):

    with in_tenant(tenant_a):
        team = make_team("Override team", managers=[tenant_a.users["manager"]])
        team.members.add(tenant_a.users["rep"])
        opportunity = make_opportunity(owner=tenant_a.users["rep"])
        proposal, lost = stage_named("Proposal"), stage_named("Lost")
    client = tenant_client(tenant_a, tenant_a.users["manager"])
    response = client.post(_url("opportunity_move", opportunity.pk),
                           {"stage": proposal.pk, "override_reason": "CEO sponsor"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    response = client.post(_url("opportunity_move", opportunity.pk), {"stage": lost.pk},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "lost_reason_required"
    response = client.post(_url("opportunity_move", opportunity.pk),
                           {"stage": lost.pk, "lost_reason": "Budget frozen"},
                           HTTP_ACCEPT="application/json")
    assert response.json()["closed"] is True
    with in_tenant(tenant_a):
        entry = StageHistory.objects.get(opportunity=opportunity, stage=proposal)
        assert entry.overridden
        assert entry.override_reason == "CEO sponsor"


def test_readonly_user_cannot_move_or_edit(tenant_a, tenant_client, in_tenant,
                                           make_opportunity):
    with in_tenant(tenant_a):
        opportunity = make_opportunity(owner=tenant_a.users["rep"])
        target = stage_named("Lost")
    client = tenant_client(tenant_a, tenant_a.users["readonly"])
    assert client.get(_url("opportunity_detail", opportunity.pk)).status_code == 200
    assert client.post(_url("opportunity_move", opportunity.pk),
                       {"stage": target.pk, "lost_reason": "x"}).status_code == 403
    assert client.get(_url("opportunity_edit", opportunity.pk)).status_code == 403


def test_board_renders_columns_and_cards_within_budget(
    tenant_a, tenant_client, in_tenant, make_opportunity, django_assert_max_num_queries
):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        deals = [make_opportunity(owner=rep) for _index in range(8)]
        deals.append(make_opportunity(owner=rep, stage=stage_named("Proposal")))
        pipeline = Pipeline.objects.get(is_default=True)
        stage_ids = list(pipeline.stages.values_list("pk", flat=True))
    client = tenant_client(tenant_a, rep)
    with django_assert_max_num_queries(16):
        response = client.get(_url("pipeline_board", pipeline.pk))
    body = response.content.decode()
    assert response.status_code == 200
    for stage_id in stage_ids:
        assert f'id="stage-{stage_id}"' in body
    for deal in deals:
        assert f'data-opportunity-id="{deal.pk}"' in body
    assert "vendor/sortable-1.15.7.min.js" in body
    assert "crm/sales/board.js" in body
    assert client.get(_url("board")).status_code == 302


def test_create_form_creates_and_rerenders_errors(tenant_a, tenant_client, in_tenant,
                                                  make_account):
    with in_tenant(tenant_a):
        account = make_account("Form Co", owner=tenant_a.users["rep"])
        hidden = make_account("Hidden Co", owner=tenant_a.users["rep2"])
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    assert client.get(_url("opportunity_create"), {"account": account.pk}).status_code == 200
    close = (date.today() + timedelta(days=20)).isoformat()
    bad = client.post(_url("opportunity_create"), {
        "account": account.pk, "name": "", "amount": "-5", "close_date": close,
    })
    assert bad.status_code == 200
    assert b"error" in bad.content
    not_mine = client.post(_url("opportunity_create"), {
        "account": hidden.pk, "name": "Sneaky", "amount": "5", "close_date": close,
    })
    assert not_mine.status_code == 200
    good = client.post(_url("opportunity_create"), {
        "account": account.pk, "name": "Form deal", "amount": "1234.50", "close_date": close,
        "competitors": "SAP, Oracle",
    })
    assert good.status_code == 302
    with in_tenant(tenant_a):
        created = Opportunity.objects.get(name="Form deal")
        assert created.owner == tenant_a.users["rep"]
        assert created.competitors == ["SAP", "Oracle"]
        assert not Opportunity.objects.filter(name="Sneaky").exists()
    options = client.get(_url("account_options"), {"account_q": "Co"}).content.decode()
    assert "Form Co" in options
    assert "Hidden Co" not in options


def test_edit_form_overrides_probability(tenant_a, tenant_client, in_tenant, make_opportunity):
    with in_tenant(tenant_a):
        opportunity = make_opportunity(owner=tenant_a.users["rep"])
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    response = client.post(_url("opportunity_edit", opportunity.pk), {
        "name": opportunity.name, "amount": "500", "currency": opportunity.currency,
        "close_date": opportunity.close_date.isoformat(), "probability": "35",
    })
    assert response.status_code == 302
    with in_tenant(tenant_a):
        opportunity.refresh_from_db()
        assert (opportunity.probability, opportunity.probability_overridden) == (35, True)


def test_forecast_page_and_home_widget(tenant_a, tenant_client, in_tenant, make_opportunity):
    with in_tenant(tenant_a):
        make_opportunity(owner=tenant_a.users["rep"], amount=1000)
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    forecast = client.get(_url("forecast"))
    assert forecast.status_code == 200
    assert b'id="forecast-by-rep"' in forecast.content
    assert client.get(_url("forecast"), {"start": "2030-01-01", "end": "2020-01-01"}
                      ).status_code == 200
    home = client.get(reverse("crm:home", urlconf="config.urls_tenant"))
    assert b'id="home-pipeline"' in home.content
    agent_home = tenant_client(tenant_a, tenant_a.users["agent"]).get(
        reverse("crm:home", urlconf="config.urls_tenant"))
    assert b'id="home-pipeline"' not in agent_home.content


def test_pipeline_settings_for_admins_only(tenant_a, tenant_client, in_tenant):
    with in_tenant(tenant_a):
        pipeline = Pipeline.objects.get(is_default=True)
        qualification = stage_named("Qualification")
    rep = tenant_client(tenant_a, tenant_a.users["rep"])
    assert rep.get(_url("pipeline_settings", pipeline.pk)).status_code == 403
    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    assert admin.get(_url("pipeline_settings", pipeline.pk)).status_code == 200
    response = admin.post(_url("pipeline_settings", pipeline.pk), {
        "op": "add_key_action", "stage": qualification.pk, "label": "Security review",
        "required": "on",
    })
    assert response.status_code == 302
    response = admin.post(_url("pipeline_settings", pipeline.pk), {
        "op": "update_stage", "stage": qualification.pk, "name": "Qualification",
        "order": qualification.order, "probability": "150",
    })
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert qualification.key_actions.filter(label="Security review").exists()
        qualification.refresh_from_db()
        assert qualification.probability == 10
    created = admin.post(_url("pipeline_settings_index"), {"name": "Renewals"})
    assert created.status_code == 302
    with in_tenant(tenant_a):
        assert Pipeline.objects.get(name="Renewals").stages.count() == 6
    board = admin.get(json.loads(json.dumps(_url("pipeline_list"))))
    assert b"Renewals" in board.content
