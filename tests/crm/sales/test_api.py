from datetime import date, timedelta

import pytest

from crm.sales.models import Opportunity, Pipeline
from tests.crm.sales.conftest import stage_named

API = "/api/v1/opportunities/"


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(("role", "expected"), [
    ("rep", {"rep", "pool"}), ("rep2", {"rep2", "pool"}),
    ("manager", {"rep", "manager", "pool"}),
    ("admin", {"rep", "rep2", "manager", "pool"}),
    ("readonly", {"rep", "rep2", "manager", "pool"}), ("agent", set()),
])
def test_api_list_visibility_per_role(role, expected, tenant_a, tenant_client, sales_world):
    deals = sales_world["deals"]
    response = tenant_client(tenant_a, tenant_a.users[role]).get(API)
    assert response.status_code == 200
    assert _ids(response) & {d.pk for d in deals.values()} == {deals[k].pk for k in expected}


def test_api_list_query_budget_and_cursor(tenant_a, tenant_client, in_tenant, make_opportunity,
                                          django_assert_max_num_queries):
    with in_tenant(tenant_a):
        for _index in range(30):
            make_opportunity(owner=tenant_a.users["rep"])
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    with django_assert_max_num_queries(8):
        response = client.get(API, {"page_size": 20, "ordering": "-amount"})
    body = response.json()
    assert len(body["results"]) == 20
    assert body["next"]
    second = client.get(body["next"])
    assert len(second.json()["results"]) >= 10
    assert not _ids(response) & _ids(second)


def test_api_filters_and_search(tenant_a, tenant_client, in_tenant, make_opportunity):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        early = make_opportunity(owner=rep, name="Boiler retrofit",
                                 close_date=date.today() + timedelta(days=3))
        late = make_opportunity(owner=rep, name="Chiller plant", stage=stage_named("Proposal"),
                                close_date=date.today() + timedelta(days=90))
    client = tenant_client(tenant_a, rep)
    assert _ids(client.get(API, {"search": "boiler"})) == {early.pk}
    assert late.pk in _ids(client.get(API, {"stage": late.stage_id}))
    assert early.pk not in _ids(client.get(API, {"stage": late.stage_id}))
    in_window = _ids(client.get(API, {"close_to": (date.today() + timedelta(days=10))}))
    assert early.pk in in_window
    assert late.pk not in in_window
    assert late.pk in _ids(client.get(API, {"status": "open"}))
    assert client.get(API, {"status": "sideways"}).status_code == 400


def test_api_detail_404_for_other_rep_and_other_tenant(
    tenant_a, tenant_b, tenant_client, in_tenant, make_opportunity
):
    with in_tenant(tenant_a):
        mine = make_opportunity(owner=tenant_a.users["rep"])
    with in_tenant(tenant_b):
        theirs = make_opportunity(owner=tenant_b.users["admin"], name="Beta secret")
    assert tenant_client(tenant_a, tenant_a.users["rep2"]).get(f"{API}{mine.pk}/"
                                                             ).status_code == 404
    admin_a = tenant_client(tenant_a, tenant_a.users["admin"])
    response = admin_a.get(f"{API}{theirs.pk}/")
    assert response.status_code == 404
    assert "Beta secret" not in admin_a.get(API).content.decode()
    move = tenant_client(tenant_a, tenant_a.users["rep2"]).post(
        f"{API}{mine.pk}/move/", {"stage": 1}, content_type="application/json")
    assert move.status_code == 404


def test_api_create_and_400s(tenant_a, tenant_client, in_tenant, make_account):
    with in_tenant(tenant_a):
        account = make_account("API Co", owner=tenant_a.users["rep"])
        hidden = make_account("Hidden API Co", owner=tenant_a.users["rep2"])
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    close = (date.today() + timedelta(days=30)).isoformat()
    bad = client.post(API, {"account": account.pk, "name": "", "amount": "-1",
                            "close_date": "soon"}, content_type="application/json")
    assert bad.status_code == 400
    assert {"name", "amount", "close_date"} <= set(bad.json())
    hidden_account = client.post(API, {"account": hidden.pk, "name": "X", "amount": "1",
                                       "close_date": close}, content_type="application/json")
    assert hidden_account.status_code == 400
    assert "account" in hidden_account.json()
    someone_else = client.post(API, {"account": account.pk, "name": "X", "amount": "1",
                                     "close_date": close, "owner": tenant_a.users["rep2"].pk},
                               content_type="application/json")
    assert someone_else.status_code == 400
    created = client.post(API, {"account": account.pk, "name": "API deal", "amount": "99.5",
                                "close_date": close, "competitors": ["SAP"]},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["stage"]["name"] == "Qualification"
    assert body["probability"] == 10
    assert body["owner"] == tenant_a.users["rep"].pk
    patched = client.patch(f"{API}{body['id']}/", {"probability": 101},
                           content_type="application/json")
    assert patched.status_code == 400
    patched = client.patch(f"{API}{body['id']}/", {"probability": 30, "next_step": "Call"},
                           content_type="application/json")
    assert patched.json()["probability_overridden"] is True
    agent = tenant_client(tenant_a, tenant_a.users["agent"])
    assert agent.post(API, {"account": account.pk, "name": "A", "amount": "1",
                            "close_date": close}, content_type="application/json"
                      ).status_code == 403
    readonly = tenant_client(tenant_a, tenant_a.users["readonly"])
    assert readonly.patch(f"{API}{body['id']}/", {"name": "Z"},
                          content_type="application/json").status_code == 403


def test_api_move_refuses_incomplete_key_actions_with_400(
    tenant_a, tenant_client, in_tenant, make_opportunity
):
    with in_tenant(tenant_a):
        opportunity = make_opportunity(owner=tenant_a.users["rep"])
        target = stage_named("Needs analysis")
        other_pipeline_stage = Pipeline.objects.create(name="Other").stages.create(
            name="Elsewhere", order=1, probability=5)
        required = list(stage_named("Qualification").key_actions.filter(required=True))
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    url = f"{API}{opportunity.pk}/move/"
    refused = client.post(url, {"stage": target.pk, "override_reason": ""},
                          content_type="application/json")
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "key_actions_incomplete"
    assert {item["id"] for item in body["missing_key_actions"]} == {a.pk for a in required}
    assert client.post(url, {"stage": other_pipeline_stage.pk},
                       content_type="application/json").status_code == 400
    assert client.post(url, {"stage": "x"}, content_type="application/json").status_code == 400
    assert client.post(url, {"stage": target.pk, "override_reason": "please"},
                       content_type="application/json").status_code == 403
    for action in required:
        ticked = client.post(f"{API}{opportunity.pk}/key-actions/",
                             {"key_action": action.pk, "done": True},
                             content_type="application/json")
        assert ticked.json() == {"key_action": action.pk, "done": True}
    moved = client.post(url, {"stage": target.pk}, content_type="application/json")
    assert moved.status_code == 200
    assert moved.json()["stage"]["id"] == target.pk
    with in_tenant(tenant_a):
        assert Opportunity.objects.get(pk=opportunity.pk).probability == 25


def test_api_manager_override(tenant_a, tenant_client, in_tenant, make_opportunity):
    with in_tenant(tenant_a):
        opportunity = make_opportunity(owner=tenant_a.users["manager"])
        target = stage_named("Proposal")
    response = tenant_client(tenant_a, tenant_a.users["manager"]).post(
        f"{API}{opportunity.pk}/move/", {"stage": target.pk, "override_reason": "Board call"},
        content_type="application/json")
    assert response.status_code == 200
    with in_tenant(tenant_a):
        entry = opportunity.stage_history.get(left_at__isnull=True)
        assert entry.overridden
        assert entry.override_reason == "Board call"


def test_api_pipelines_nest_stages_and_key_actions(tenant_a, tenant_client,
                                                   django_assert_max_num_queries):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/pipelines/")
    assert response.status_code == 200
    [default] = [p for p in response.json() if p["is_default"]]
    names = [stage["name"] for stage in default["stages"]]
    assert names[0] == "Qualification"
    assert names[-2:] == ["Won", "Lost"]
    assert default["stages"][0]["key_actions"][0]["label"] == "Budget confirmed"
    assert tenant_client(tenant_a, tenant_a.users["agent"]).get(
        "/api/v1/pipelines/").json() == []


def test_openapi_schema_lists_sales_endpoints(tenant_a, in_tenant):
    from drf_spectacular.generators import SchemaGenerator

    with in_tenant(tenant_a):
        schema = SchemaGenerator(urlconf="config.urls_api_schema").get_schema(public=True)
    for path in ("/api/v1/opportunities/", "/api/v1/opportunities/{id}/move/",
                 "/api/v1/opportunities/{id}/key-actions/", "/api/v1/pipelines/"):
        assert path in schema["paths"]
    move = schema["paths"]["/api/v1/opportunities/{id}/move/"]["post"]
    assert "400" in move["responses"]
