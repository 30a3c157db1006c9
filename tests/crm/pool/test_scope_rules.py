"""Pool and transfer scope: a manager acts only for the users of the teams they manage; an
unowned account waiting in another team's pool is hidden everywhere (pool API, accounts API
with ?in_pool=true, account pages) by one rule; ``next=`` only leads back to this host."""

import pytest
from django.core.exceptions import ValidationError

from crm.accounts.models import Account
from crm.core.models import Team
from crm.pool.models import Pool
from crm.pool.selectors import pool_held_accounts
from crm.pool.services import pool_add_accounts, pool_assign, pool_claim, pool_create
from crm.pool.transfer import ownership_transfer
from tests.crm.accounts.factories import make_account
from tests.crm.core.factories import make_team
from tests.crm.pool.conftest import fresh


@pytest.fixture
def teams(tenant_a, in_tenant, people_a):
    """East: managed by the manager, rep as member. West: rep2, managed by nobody."""
    with in_tenant(tenant_a):
        east = make_team("East scope", managers=[people_a["manager"]])
        east.members.add(people_a["rep"])
        west = Team.objects.create(name="West scope")
        west.members.add(people_a["rep2"])
        return {"east": east, "west": west}


def test_manager_cannot_transfer_records_of_another_teams_rep(tenant_a, in_tenant, people_a,
                                                              teams):
    with in_tenant(tenant_a):
        theirs = make_account(owner=people_a["rep2"], name="West held")
        manager = fresh(people_a["manager"])
        with pytest.raises(ValidationError) as error:
            ownership_transfer(from_user=people_a["rep2"], to_user=people_a["rep"],
                               actor=manager)
        assert "from_user" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            ownership_transfer(from_user=people_a["rep"], to_user=people_a["rep2"],
                               actor=manager)
        assert "to_user" in error.value.message_dict
        assert Account.objects.get(pk=theirs.pk).owner_id == people_a["rep2"].pk
        result = ownership_transfer(from_user=people_a["rep2"], to_user=people_a["rep"],
                                    actor=fresh(people_a["admin"]))
        assert result.accounts == [theirs.pk]


def test_transfer_page_lists_only_the_managers_people(tenant_a, in_tenant, people_a, teams,
                                                      tenant_client):
    with in_tenant(tenant_a):
        make_account(owner=people_a["rep2"], name="West page held")
    client = tenant_client(tenant_a, people_a["manager"])
    page = client.get("/crm/settings/transfer/", {"from_user": people_a["rep2"].pk})
    assert page.status_code == 200
    form = page.context["form"]
    assert set(form.fields["from_user"].queryset.values_list("pk", flat=True)) == {
        people_a["manager"].pk, people_a["rep"].pk}
    assert people_a["rep2"].pk not in set(form.fields["to_user"].queryset
                                          .values_list("pk", flat=True))
    assert page.context["counts"] is None  # another team's rep: nothing to show
    admin_page = tenant_client(tenant_a, people_a["admin"]).get("/crm/settings/transfer/")
    assert people_a["rep2"].pk in set(admin_page.context["form"].fields["from_user"]
                                      .queryset.values_list("pk", flat=True))
    posted = client.post("/crm/settings/transfer/", {
        "from_user": people_a["rep2"].pk, "to_user": people_a["rep"].pk,
        "include_accounts": "on"})
    assert posted.status_code == 400
    with in_tenant(tenant_a):
        assert Account.objects.filter(owner=people_a["rep2"]).count() == 1


def test_manager_assigns_pool_accounts_only_to_their_teams_users(tenant_a, in_tenant,
                                                                 people_a, teams):
    with in_tenant(tenant_a):
        pool = pool_create(actor=None, name="Assign scope pool")
        account = make_account(owner=None, name="Assign scope account")
        pool_add_accounts(pool=pool, accounts=[account], actor=None)
        with pytest.raises(ValidationError) as error:
            pool_assign(account=account, to_user=people_a["rep2"],
                        actor=fresh(people_a["manager"]))
        assert "to_user" in error.value.message_dict
        pool_assign(account=account, to_user=people_a["rep"], actor=fresh(people_a["manager"]))
        assert Account.objects.get(pk=account.pk).owner_id == people_a["rep"].pk


@pytest.fixture
def west_pool(tenant_a, in_tenant, teams):
    with in_tenant(tenant_a):
        pool = pool_create(actor=None, name="West only", team=teams["west"])
        waiting = make_account(owner=None, name="Waiting in West")
        pool_add_accounts(pool=pool, accounts=[waiting], actor=None)
        return {"pool": pool, "account": waiting}


def test_other_teams_pool_accounts_are_hidden_by_one_rule(tenant_a, people_a, tenant_client,
                                                          west_pool):
    waiting = west_pool["account"]
    east_rep = tenant_client(tenant_a, people_a["rep"])
    assert waiting.pk not in {row["id"] for row in
                              east_rep.get("/api/v1/pool/").json()["results"]}
    in_pool = east_rep.get("/api/v1/accounts/", {"in_pool": "true"}).json()["results"]
    assert waiting.pk not in {row["id"] for row in in_pool}
    assert east_rep.get(f"/api/v1/accounts/{waiting.pk}/").status_code == 404
    assert east_rep.get(f"/crm/accounts/{waiting.pk}/").status_code == 404

    west_rep = tenant_client(tenant_a, people_a["rep2"])
    assert waiting.pk in {row["id"] for row in west_rep.get("/api/v1/pool/").json()["results"]}
    assert waiting.pk in {row["id"] for row in west_rep.get(
        "/api/v1/accounts/", {"in_pool": "true"}).json()["results"]}


def test_pool_page_shows_a_rep_only_their_own_held_accounts(tenant_a, in_tenant, people_a):
    with in_tenant(tenant_a):
        pool = pool_create(actor=None, name="Held scope pool")
        mine, theirs = (make_account(owner=None, name="Held mine"),
                        make_account(owner=None, name="Held theirs"))
        pool_add_accounts(pool=pool, accounts=[mine, theirs], actor=None)
        pool_claim(account=mine, actor=people_a["rep"])
        pool_claim(account=theirs, actor=people_a["rep2"])
        pool = Pool.objects.get(pk=pool.pk)
        rep_view = {a.pk for a in pool_held_accounts(viewer=fresh(people_a["rep"]), pool=pool)}
        admin_view = {a.pk for a in pool_held_accounts(viewer=fresh(people_a["admin"]),
                                                       pool=pool)}
        assert rep_view == {mine.pk}
        assert admin_view == {mine.pk, theirs.pk}


@pytest.mark.parametrize("target", ["/\\evil.example/", "//evil.example/",
                                    "https://evil.example/", "javascript:alert(1)"])
def test_pool_actions_never_redirect_off_site(target, tenant_a, in_tenant, people_a,
                                              tenant_client):
    with in_tenant(tenant_a):
        pool = pool_create(actor=None, name="Redirect pool")
        account = make_account(owner=None, name="Redirect account")
        pool_add_accounts(pool=pool, accounts=[account], actor=None)
    response = tenant_client(tenant_a, people_a["rep"]).post(
        f"/crm/pool/accounts/{account.pk}/claim/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == f"/crm/pool/accounts/{account.pk}/"


def test_pool_actions_follow_a_local_next(tenant_a, in_tenant, people_a, tenant_client):
    with in_tenant(tenant_a):
        pool = pool_create(actor=None, name="Local next pool")
        account = make_account(owner=None, name="Local next account")
        pool_add_accounts(pool=pool, accounts=[account], actor=None)
    response = tenant_client(tenant_a, people_a["rep"]).post(
        f"/crm/pool/accounts/{account.pk}/claim/", {"next": f"/crm/pool/{pool.pk}/?q=x"})
    assert response["Location"] == f"/crm/pool/{pool.pk}/?q=x"
