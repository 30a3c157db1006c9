"""Pool pages: list and detail (query budgets), claim and return forms, assign, history,
pool rules settings and the transfer page; roles and isolation."""

import pytest

from crm.accounts.models import Account
from crm.pool.models import Pool
from crm.pool.services import pool_add_accounts, pool_claim, pool_create
from tests.crm.accounts.factories import make_account


@pytest.fixture
def pooled(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        pool = pool_create(actor=None, name="Page pool", max_accounts_per_rep=5)
        accounts = [make_account(owner=None, name=f"Page account {i}") for i in range(25)]
        pool_add_accounts(pool=pool, accounts=accounts, actor=None)
        return pool, accounts


def test_pool_pages_render_within_their_query_budgets(tenant_a, people_a, tenant_client, pooled,
                                                      django_assert_max_num_queries):
    pool, _accounts = pooled
    client = tenant_client(tenant_a, people_a["manager"])
    with django_assert_max_num_queries(12):
        listing = client.get("/crm/pool/")
    assert listing.status_code == 200
    assert "Page pool" in listing.content.decode()
    with django_assert_max_num_queries(16):
        detail = client.get(f"/crm/pool/{pool.pk}/")
    assert detail.status_code == 200
    assert detail.content.decode().count("Page account") >= 25


def test_claim_and_return_through_the_pages(tenant_a, in_tenant, people_a, tenant_client,
                                            pooled):
    pool, accounts = pooled
    client = tenant_client(tenant_a, people_a["rep"])
    claimed = client.post(f"/crm/pool/accounts/{accounts[0].pk}/claim/",
                          {"next": f"/crm/pool/{pool.pk}/"})
    assert claimed.status_code == 302
    with in_tenant(tenant_a):
        assert Account.objects.get(pk=accounts[0].pk).owner_id == people_a["rep"].pk
    no_reason = client.post(f"/crm/pool/accounts/{accounts[0].pk}/return/", {"reason": ""})
    assert no_reason.status_code == 400
    returned = client.post(f"/crm/pool/accounts/{accounts[0].pk}/return/",
                           {"reason": "Customer went bankrupt"})
    assert returned.status_code == 302
    history = client.get(f"/crm/pool/accounts/{accounts[0].pk}/")
    assert "Customer went bankrupt" in history.content.decode()


def test_assign_page_action_is_for_managers(tenant_a, in_tenant, people_a, tenant_client, pooled,
                                            managed_team):
    _pool, accounts = pooled
    rep = tenant_client(tenant_a, people_a["rep"])
    assert rep.post(f"/crm/pool/accounts/{accounts[1].pk}/assign/",
                    {"to_user": people_a["rep"].pk}).status_code == 403
    manager = tenant_client(tenant_a, people_a["manager"])
    assert manager.post(f"/crm/pool/accounts/{accounts[1].pk}/assign/",
                        {"to_user": people_a["rep2"].pk}).status_code == 302
    with in_tenant(tenant_a):
        assert Account.objects.get(pk=accounts[1].pk).owner_id == people_a["rep2"].pk


def test_pool_rules_settings_are_for_settings_managers(tenant_a, in_tenant, people_a,
                                                       tenant_client, pooled):
    pool, _accounts = pooled
    assert tenant_client(tenant_a, people_a["manager"]).get(
        "/crm/settings/pools/").status_code == 403
    admin = tenant_client(tenant_a, people_a["admin"])
    assert admin.get("/crm/settings/pools/").status_code == 200
    bad = admin.post(f"/crm/settings/pools/{pool.pk}/", {
        "name": "Page pool", "region": "", "active": "on", "max_accounts_per_rep": "0",
        "warn_days_before": "3"})
    assert bad.status_code == 400
    created = admin.post("/crm/settings/pools/new/", {
        "name": "South pool", "region": "South", "active": "on", "max_accounts_per_rep": "8",
        "reclaim_after_days_without_activity": "20", "reclaim_after_days_without_won_deal": "",
        "warn_days_before": "2"})
    assert created.status_code == 302
    with in_tenant(tenant_a):
        south = Pool.objects.select_related("rule").get(name="South pool")
        assert (south.rule.max_accounts_per_rep, south.rule.reclaim_after_days_without_won_deal,
                south.rule.warn_days_before) == (8, None, 2)


def test_transfer_page_for_managers_and_admins_only(tenant_a, in_tenant, people_a,
                                                    tenant_client, managed_team):
    rep, rep2 = people_a["rep"], people_a["rep2"]
    with in_tenant(tenant_a):
        account = make_account(owner=rep, name="Leaving rep's account")
    assert tenant_client(tenant_a, rep).get("/crm/settings/transfer/").status_code == 403
    manager = tenant_client(tenant_a, people_a["manager"])
    page = manager.get(f"/crm/settings/transfer/?from_user={rep.pk}")
    assert page.status_code == 200
    assert "Leaving rep&#x27;s account" in page.content.decode()
    same = manager.post("/crm/settings/transfer/", {"from_user": rep.pk, "to_user": rep.pk,
                                                   "include_accounts": "on"})
    assert same.status_code == 400
    done = manager.post("/crm/settings/transfer/", {
        "from_user": rep.pk, "to_user": rep2.pk, "include_accounts": "on",
        "include_opportunities": "on", "include_leads": "on", "include_tasks": "on",
        "reason": "Left the company"})
    assert done.status_code == 302
    with in_tenant(tenant_a):
        assert Account.objects.get(pk=account.pk).owner_id == rep2.pk


def test_pool_pages_of_another_tenant_or_team_are_404(tenant_a, tenant_b, in_tenant, people_a,
                                                      tenant_client):
    with in_tenant(tenant_b):
        foreign_pool = pool_create(actor=None, name="Beta pool")
        foreign = make_account(owner=None, name="Beta pooled")
        pool_add_accounts(pool=foreign_pool, accounts=[foreign], actor=None)
    with in_tenant(tenant_a):
        held = make_account(owner=None, name="Held by rep2")
        own_pool = pool_create(actor=None, name="Alpha pool")
        pool_add_accounts(pool=own_pool, accounts=[held], actor=None)
        pool_claim(account=held, actor=people_a["rep2"])
    client = tenant_client(tenant_a, people_a["rep"])
    assert client.get(f"/crm/pool/{foreign_pool.pk}/").status_code == 404
    assert client.get(f"/crm/pool/accounts/{foreign.pk}/").status_code == 404
    assert client.post(f"/crm/pool/accounts/{foreign.pk}/claim/").status_code == 404
    assert client.get(f"/crm/pool/accounts/{held.pk}/").status_code == 404
    assert client.post(f"/crm/pool/accounts/{held.pk}/return/",
                       {"reason": "not mine"}).status_code == 404
