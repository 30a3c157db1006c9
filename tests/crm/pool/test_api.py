"""/api/v1/pool/: list (query budget), claim / return / assign actions, 400s for bad input,
403 for the wrong role, 404 across teams and tenants."""

from crm.pool.services import pool_add_accounts, pool_claim, pool_create
from tests.crm.accounts.factories import make_account
from tests.crm.core.factories import make_team

API = "/api/v1/pool/"


def _pool_with(count, **rule):
    pool = pool_create(actor=None, name=f"API pool {count}", **rule)
    accounts = [make_account(owner=None, name=f"Pooled {i}") for i in range(count)]
    pool_add_accounts(pool=pool, accounts=accounts, actor=None)
    return pool, accounts


def test_list_shows_pool_accounts_within_the_query_budget(
        tenant_a, in_tenant, people_a, tenant_client, django_assert_max_num_queries):
    with in_tenant(tenant_a):
        pool, accounts = _pool_with(30)
        pool_claim(account=accounts[0], actor=people_a["rep2"])
    client = tenant_client(tenant_a, people_a["rep"])
    with django_assert_max_num_queries(9):
        response = client.get(API, {"pool": pool.pk})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {a.pk for a in accounts[1:]}  # held accounts are not in the pool
    assert not client.get(API, {"pool": pool.pk, "held": "true"}).json()["results"]  # rep2's
    admin = tenant_client(tenant_a, people_a["admin"])
    held = admin.get(API, {"pool": pool.pk, "held": "true"}).json()["results"]
    assert [row["id"] for row in held] == [accounts[0].pk]
    with django_assert_max_num_queries(9):
        assert client.get("/api/v1/pools/").status_code == 200


def test_claim_return_and_their_400s(tenant_a, in_tenant, people_a, tenant_client):
    with in_tenant(tenant_a):
        _pool, accounts = _pool_with(2, max_accounts_per_rep=1)
    client = tenant_client(tenant_a, people_a["rep"])
    claimed = client.post(f"{API}{accounts[0].pk}/claim/")
    assert claimed.status_code == 200
    assert claimed.json()["owner"] == people_a["rep"].pk
    again = client.post(f"{API}{accounts[0].pk}/claim/")
    assert again.status_code == 400
    assert "not in the pool" in again.json()["account"][0]
    capped = client.post(f"{API}{accounts[1].pk}/claim/")
    assert capped.status_code == 400
    assert "the most allowed" in capped.json()["account"][0]
    no_reason = client.post(f"{API}{accounts[0].pk}/return/", {"reason": ""},
                            content_type="application/json")
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()
    missing = client.post(f"{API}{accounts[0].pk}/return/", {}, content_type="application/json")
    assert missing.status_code == 400
    returned = client.post(f"{API}{accounts[0].pk}/return/", {"reason": "Wrong region"},
                           content_type="application/json")
    assert returned.status_code == 200
    assert returned.json()["owner"] is None
    assert returned.json()["last_reason"] == "Wrong region"
    history = client.get(f"{API}{accounts[0].pk}/history/").json()
    assert [row["kind"] for row in history] == ["return", "claim"]


def test_assign_is_for_managers(tenant_a, in_tenant, people_a, tenant_client, managed_team):
    with in_tenant(tenant_a):
        _pool, accounts = _pool_with(1)
    target = accounts[0].pk
    rep = tenant_client(tenant_a, people_a["rep"])
    assert rep.post(f"{API}{target}/assign/", {"to_user": people_a["rep"].pk},
                    content_type="application/json").status_code == 403
    manager = tenant_client(tenant_a, people_a["manager"])
    bad = manager.post(f"{API}{target}/assign/", {"to_user": 987654},
                       content_type="application/json")
    assert bad.status_code == 400
    assert "to_user" in bad.json()
    done = manager.post(f"{API}{target}/assign/", {"to_user": people_a["rep2"].pk},
                        content_type="application/json")
    assert done.status_code == 200
    assert done.json()["owner"] == people_a["rep2"].pk
    readonly = tenant_client(tenant_a, people_a["readonly"])
    assert readonly.post(f"{API}{target}/claim/").status_code == 403


def test_other_tenants_and_other_teams_accounts_are_404(tenant_a, tenant_b, in_tenant, people_a,
                                                        tenant_client):
    with in_tenant(tenant_b):
        _pool_b, foreign = _pool_with(1)
    with in_tenant(tenant_a):
        team = make_team("API team")
        team.members.set([people_a["rep"]])
        team_pool = pool_create(actor=None, name="API team pool", team=team)
        secret = make_account(owner=None, name="Team secret")
        pool_add_accounts(pool=team_pool, accounts=[secret], actor=None)
        private = make_account(owner=people_a["rep"], name="Rep's own")
    rep2 = tenant_client(tenant_a, people_a["rep2"])
    assert rep2.post(f"{API}{foreign[0].pk}/claim/").status_code == 404
    assert rep2.get(f"{API}{foreign[0].pk}/").status_code == 404
    assert rep2.post(f"{API}{secret.pk}/claim/").status_code == 404
    assert rep2.post(f"{API}{private.pk}/return/", {"reason": "x"},
                     content_type="application/json").status_code == 404
    assert secret.pk not in {row["id"] for row in rep2.get(API).json()["results"]}
