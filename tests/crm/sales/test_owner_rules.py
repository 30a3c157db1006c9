"""Who may own a deal is decided in opportunity_create (not in the API view or by hiding a
form field); the plain edit refuses a changed owner; the committee form and the API's
account field resolve through the accounts selectors."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from crm.accounts.models import AccountTeamRole
from crm.accounts.services import account_team_add, contact_create
from crm.core.models import Team
from crm.sales.models import Opportunity, OpportunityContact
from crm.sales.services import opportunity_create
from tenants.users.models import User

API = "/api/v1"


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _create(*, account, owner, actor, name="Owner rule deal"):
    return opportunity_create(account=account, name=name, amount=100, currency=None,
                              close_date=date.today() + timedelta(days=10), owner=owner,
                              actor=actor)


def test_opportunity_create_lets_a_rep_open_deals_only_for_themselves(
        tenant_a, in_tenant, make_account):
    users = tenant_a.users
    with in_tenant(tenant_a):
        account = make_account(owner=users["rep"])
        with pytest.raises(ValidationError) as error:
            _create(account=account, owner=users["rep2"], actor=_fresh(users["rep"]))
        assert "owner" in error.value.message_dict
        assert _create(account=account, owner=users["rep"],
                       actor=_fresh(users["rep"])).owner_id == users["rep"].pk


def test_opportunity_create_lets_a_manager_name_only_their_teams_users(
        tenant_a, in_tenant, make_account, sales_world):
    users = tenant_a.users  # sales_world: the manager manages a team holding rep, not rep2
    with in_tenant(tenant_a):
        account = make_account(owner=users["rep"])
        manager = _fresh(users["manager"])
        assert _create(account=account, owner=users["rep"],
                       actor=manager).owner_id == users["rep"].pk
        with pytest.raises(ValidationError):
            _create(account=account, owner=users["rep2"], actor=manager)
        assert _create(account=account, owner=users["rep2"],
                       actor=_fresh(users["admin"])).owner_id == users["rep2"].pk


def test_create_page_refuses_a_rep_naming_someone_else(tenant_a, in_tenant, tenant_client,
                                                       make_account):
    users = tenant_a.users
    with in_tenant(tenant_a):
        account = make_account(owner=users["rep"])
    response = tenant_client(tenant_a, users["rep"]).post("/crm/opportunities/new/", {
        "account": account.pk, "name": "Sneaky deal", "amount": "10",
        "close_date": (date.today() + timedelta(days=5)).isoformat(),
        "owner": users["rep2"].pk,
    })
    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
    with in_tenant(tenant_a):
        assert not Opportunity.objects.filter(name="Sneaky deal").exists()


def test_api_create_refuses_a_rep_naming_someone_else(tenant_a, in_tenant, tenant_client,
                                                      make_account):
    users = tenant_a.users
    with in_tenant(tenant_a):
        account = make_account(owner=users["rep"])
    response = tenant_client(tenant_a, users["rep"]).post(f"{API}/opportunities/", {
        "account": account.pk, "name": "API sneaky", "amount": "10",
        "close_date": (date.today() + timedelta(days=5)).isoformat(),
        "owner": users["rep2"].pk,
    }, content_type="application/json")
    assert response.status_code == 400
    assert "owner" in response.json()


@pytest.mark.parametrize("actor", ["rep", "admin"])
def test_api_patch_refuses_a_changed_owner(actor, tenant_a, in_tenant, tenant_client,
                                           make_opportunity):
    users = tenant_a.users
    with in_tenant(tenant_a):
        deal = make_opportunity(owner=users["rep"])
    client = tenant_client(tenant_a, users[actor])
    response = client.patch(f"{API}/opportunities/{deal.pk}/",
                            {"owner": None if actor == "rep" else users["rep2"].pk},
                            content_type="application/json")
    assert response.status_code == 400, response.content
    assert "owner" in response.json()
    same = client.patch(f"{API}/opportunities/{deal.pk}/",
                        {"owner": users["rep"].pk, "next_step": "Call"},
                        content_type="application/json")
    assert same.status_code == 200, same.content
    with in_tenant(tenant_a):
        assert Opportunity.objects.get(pk=deal.pk).owner_id == users["rep"].pk


def test_edit_page_refuses_a_changed_owner(tenant_a, in_tenant, tenant_client,
                                           make_opportunity):
    users = tenant_a.users
    with in_tenant(tenant_a):
        deal = make_opportunity(owner=users["rep"])
    response = tenant_client(tenant_a, users["admin"]).post(
        f"/crm/opportunities/{deal.pk}/edit/", {
            "name": deal.name, "amount": str(deal.amount), "currency": deal.currency,
            "close_date": deal.close_date.isoformat(), "owner": users["rep2"].pk,
        })
    assert response.status_code == 400
    assert response.context["form"].errors["owner"]
    with in_tenant(tenant_a):
        assert Opportunity.objects.get(pk=deal.pk).owner_id == users["rep"].pk


@pytest.fixture
def branch_world(tenant_a, in_tenant, make_account):
    """A head office the rep holds and a branch held by someone on another team."""
    users = tenant_a.users
    with in_tenant(tenant_a):
        outsider = User.objects.create_user(email="branch-outsider@alpha.test",
                                            role="sales_rep", kind="staff")
        Team.objects.create(name="Far away").members.add(outsider)
        head = make_account(owner=users["rep"], name="Head office")
        branch = make_account(owner=outsider, name="Hidden branch", parent=head)
        hidden = contact_create(actor=None, account=branch, last_name="Hidden")
        shown = contact_create(actor=None, account=head, last_name="Shown")
        deal = _create(account=head, owner=users["rep"], actor=None, name="Family deal")
        return {"deal": deal, "hidden": hidden, "shown": shown, "branch": branch,
                "outsider": outsider}


def test_committee_form_lists_only_contacts_the_viewer_may_see(tenant_a, in_tenant,
                                                               tenant_client, branch_world):
    users = tenant_a.users
    client = tenant_client(tenant_a, users["rep"])
    deal = branch_world["deal"]
    page = client.get(f"/crm/opportunities/{deal.pk}/")
    assert page.status_code == 200
    offered = set(page.context["committee_form"].fields["contact"].queryset
                  .values_list("pk", flat=True))
    assert branch_world["shown"].pk in offered
    assert branch_world["hidden"].pk not in offered
    client.post(f"/crm/opportunities/{deal.pk}/committee/",
                {"contact": branch_world["hidden"].pk, "role": "influencer"})
    with in_tenant(tenant_a):
        assert not OpportunityContact.objects.filter(
            opportunity=deal, contact=branch_world["hidden"]).exists()


def test_api_opens_deals_on_accounts_whose_team_the_viewer_is_on(
        tenant_a, in_tenant, tenant_client, branch_world):
    users = tenant_a.users
    with in_tenant(tenant_a):
        account_team_add(account=branch_world["branch"], user=users["rep"],
                         role=AccountTeamRole.SUPPORT, actor=None)
    response = tenant_client(tenant_a, users["rep"]).post(f"{API}/opportunities/", {
        "account": branch_world["branch"].pk, "name": "Team member deal", "amount": "5",
        "close_date": (date.today() + timedelta(days=5)).isoformat(),
        "contact": branch_world["hidden"].pk,
    }, content_type="application/json")
    assert response.status_code == 201, response.content
