"""Owners change through the pool and the transfer only; a new account's owner is one the
creator may name; a merge (which deletes the losers) needs the delete capability."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.accounts.models import Account
from crm.accounts.services import account_create, account_merge, account_update
from tenants.users.models import User
from tests.crm.accounts.factories import make_account
from tests.crm.core.factories import make_team

API = "/api/v1"


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


@pytest.fixture
def east(tenant_a, in_tenant):
    """The manager manages East (rep); rep2 is on no team the manager manages."""
    users = tenant_a.users
    with in_tenant(tenant_a):
        team = make_team("East owners", managers=[users["manager"]])
        team.members.add(users["rep"])
        return team


@pytest.mark.parametrize("new_owner", ["rep", None, "rep2"])
def test_api_patch_refuses_a_changed_owner_with_400_naming_the_field(
        tenant_a, in_tenant, tenant_client, new_owner):
    users = tenant_a.users
    with in_tenant(tenant_a):
        pooled = make_account(owner=None, name="Pooled For Patch")
        held = make_account(owner=users["rep"], name="Held For Patch")
    target = pooled if new_owner == "rep" else held
    owner_id = users[new_owner].pk if new_owner else None
    client = tenant_client(tenant_a, users["admin"] if new_owner == "rep2" else users["rep"])
    response = client.patch(f"{API}/accounts/{target.pk}/", {"owner": owner_id},
                            content_type="application/json")
    assert response.status_code == 400, response.content
    assert "owner" in response.json()
    with in_tenant(tenant_a):
        assert Account.objects.get(pk=target.pk).owner_id == target.owner_id


def test_api_put_repeating_the_same_owner_is_accepted(tenant_a, in_tenant, tenant_client):
    users = tenant_a.users
    with in_tenant(tenant_a):
        account = make_account(owner=users["rep"], name="Put Same Owner")
    client = tenant_client(tenant_a, users["rep"])
    response = client.put(f"{API}/accounts/{account.pk}/",
                          {"name": "Put Same Owner Renamed", "owner": users["rep"].pk},
                          content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["owner"] == users["rep"].pk


def test_edit_page_refuses_a_changed_owner_with_a_form_error(tenant_a, in_tenant,
                                                            tenant_client):
    users = tenant_a.users
    with in_tenant(tenant_a):
        pooled = make_account(owner=None, name="Pooled For Form")
    client = tenant_client(tenant_a, users["rep"])
    response = client.post(f"/crm/accounts/{pooled.pk}/edit/", {
        "name": "Pooled For Form", "type": pooled.type, "owner": users["rep"].pk,
        "value_score": pooled.value_score,
    })
    assert response.status_code == 400
    assert response.context["form"].errors["owner"]
    with in_tenant(tenant_a):
        assert Account.objects.get(pk=pooled.pk).owner_id is None


def test_service_update_never_changes_owner_even_for_admins(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        account = make_account(owner=users["rep"])
        with pytest.raises(ValidationError) as error:
            account_update(account=account, actor=_fresh(users["admin"]), owner=users["rep2"])
        assert "owner" in error.value.message_dict


def test_rep_creates_accounts_only_for_themselves(tenant_a, in_tenant, tenant_client):
    users = tenant_a.users
    client = tenant_client(tenant_a, users["rep"])
    response = client.post(f"{API}/accounts/", {"name": "For Someone Else",
                                                "owner": users["rep2"].pk},
                           content_type="application/json")
    assert response.status_code == 400, response.content
    assert "owner" in response.json()
    response = client.post(f"{API}/accounts/", {"name": "For Me", "owner": users["rep"].pk},
                           content_type="application/json")
    assert response.status_code == 201, response.content


def test_manager_names_only_users_of_the_teams_they_manage(tenant_a, in_tenant, east):
    users = tenant_a.users
    with in_tenant(tenant_a):
        manager = _fresh(users["manager"])
        assert account_create(actor=manager, name="For East Rep",
                              owner=users["rep"]).owner_id == users["rep"].pk
        with pytest.raises(ValidationError) as error:
            account_create(actor=manager, name="For Outsider", owner=users["rep2"])
        assert "owner" in error.value.message_dict
        admin = _fresh(users["admin"])
        assert account_create(actor=admin, name="Admin Names Anyone",
                              owner=users["rep2"]).owner_id == users["rep2"].pk


def test_merge_needs_the_delete_capability(tenant_a, in_tenant, tenant_client):
    users = tenant_a.users
    with in_tenant(tenant_a):
        survivor = make_account(owner=users["rep"], name="Rep Survivor")
        loser = make_account(owner=users["rep"], name="Rep Loser")
        with pytest.raises(PermissionDenied):
            account_merge(survivor=survivor, others=[loser], actor=_fresh(users["rep"]))
    response = tenant_client(tenant_a, users["rep"]).post(
        f"{API}/accounts/{survivor.pk}/merge/", {"others": [loser.pk]},
        content_type="application/json")
    assert response.status_code == 403
    with in_tenant(tenant_a):
        assert Account.objects.filter(pk=loser.pk).exists()


def test_manager_merges_only_accounts_of_their_teams(tenant_a, in_tenant, east):
    users = tenant_a.users
    with in_tenant(tenant_a):
        survivor = make_account(owner=users["rep"], name="East Survivor")
        team_loser = make_account(owner=users["rep"], name="East Loser")
        outside_loser = make_account(owner=users["rep2"], name="Outside Loser")
        manager = _fresh(users["manager"])
        with pytest.raises(PermissionDenied):
            account_merge(survivor=survivor, others=[outside_loser], actor=manager)
        assert Account.objects.filter(pk=outside_loser.pk).exists()
        account_merge(survivor=survivor, others=[team_loser], actor=manager)
        assert not Account.objects.filter(pk=team_loser.pk).exists()
