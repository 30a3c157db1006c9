"""Claim (cap), return (reason), assign (managers), team pools, visibility of pools."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from crm.accounts.models import AccountTeamMember
from crm.core.models import Notification
from crm.pool.models import OwnershipChange, OwnershipChangeKind, PoolMembership
from crm.pool.selectors import (
    ownership_history,
    pool_account_get_for,
    pool_accounts,
    pool_list,
    pool_visible_queryset,
)
from crm.pool.services import (
    pool_add_accounts,
    pool_assign,
    pool_claim,
    pool_create,
    pool_return,
    pool_update,
)
from tests.crm.accounts.factories import make_account
from tests.crm.core.factories import make_team
from tests.crm.pool.conftest import fresh


@pytest.fixture
def pool(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        return pool_create(actor=None, name="Claims pool", max_accounts_per_rep=2)


def _pooled(pool, count=1):
    accounts = [make_account(owner=None, name=f"{pool.name} {i}") for i in range(count)]
    pool_add_accounts(pool=pool, accounts=accounts, actor=None)
    return accounts


def test_claim_up_to_the_cap_then_a_clear_error(tenant_a, in_tenant, people_a, pool):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        first, second, third = _pooled(pool, 3)
        pool_claim(account=first, actor=rep)
        pool_claim(account=second, actor=rep)
        with pytest.raises(ValidationError) as error:
            pool_claim(account=third, actor=rep)
        assert "the most allowed" in error.value.message_dict["account"][0]
        third.refresh_from_db()
        assert third.owner_id is None
        first.refresh_from_db()
        assert first.owner_id == rep.pk
        assert AccountTeamMember.objects.filter(account=first, user=rep).exists()
        assert OwnershipChange.objects.filter(account=first, kind="claim").count() == 1
        # Someone else's cap is their own.
        pool_claim(account=third, actor=people_a["rep2"])


def test_claiming_an_account_that_is_not_in_the_pool_fails(tenant_a, in_tenant, people_a, pool):
    rep, rep2 = people_a["rep"], people_a["rep2"]
    with in_tenant(tenant_a):
        (account,) = _pooled(pool)
        pool_claim(account=account, actor=rep2)
        with pytest.raises(ValidationError) as error:
            pool_claim(account=account, actor=rep)
        assert "not in the pool" in error.value.message_dict["account"][0]
        outside = make_account(owner=None)
        with pytest.raises(ValidationError):
            pool_claim(account=outside, actor=rep)


def test_return_needs_a_reason_that_the_next_rep_reads(tenant_a, in_tenant, people_a, pool):
    rep, rep2 = people_a["rep"], people_a["rep2"]
    with in_tenant(tenant_a):
        (account,) = _pooled(pool)
        pool_claim(account=account, actor=rep)
        with pytest.raises(ValidationError) as error:
            pool_return(account=account, actor=rep, reason="   ")
        assert "reason" in error.value.message_dict
        with pytest.raises(ValidationError):
            pool_return(account=account, actor=rep2, reason="not mine")
        pool_return(account=account, actor=rep, reason="No budget until next year")
        account.refresh_from_db()
        assert account.owner_id is None
        assert not AccountTeamMember.objects.filter(account=account, user=rep).exists()
        listed = pool_accounts(viewer=fresh(rep2), pool=pool).get(pk=account.pk)
        assert listed.last_reason == "No budget until next year"
        history = ownership_history(account=account)
        assert [c.kind for c in history] == [OwnershipChangeKind.RETURN, OwnershipChangeKind.CLAIM]
        with pytest.raises(ValidationError):
            pool_return(account=account, actor=rep, reason="again")


def test_returning_an_account_without_a_pool_uses_the_matching_pool(tenant_a, in_tenant,
                                                                    people_a):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        regional = pool_create(actor=None, name="North pool", region="North")
        account = make_account(owner=rep, region="North")
        pool_return(account=account, actor=rep, reason="Moving to key accounts")
        assert PoolMembership.objects.get(account=account).pool == regional


def test_only_managers_assign_and_the_rep_is_told(tenant_a, in_tenant, people_a, pool,
                                                  managed_team):
    rep, manager = people_a["rep"], people_a["manager"]
    with in_tenant(tenant_a):
        (account,) = _pooled(pool)
        with pytest.raises(PermissionDenied):
            pool_assign(account=account, to_user=rep, actor=people_a["rep2"])
        with pytest.raises(ValidationError):
            pool_assign(account=account, to_user=people_a["agent"], actor=manager)
        pool_assign(account=account, to_user=rep, actor=manager, reason="Your territory")
        account.refresh_from_db()
        assert account.owner_id == rep.pk
        change = OwnershipChange.objects.get(account=account)
        assert (change.kind, change.actor_id, change.reason) == ("assign", manager.pk,
                                                                 "Your territory")
        assert Notification.objects.filter(recipient=rep, verb="pool_assigned").exists()


def test_team_pools_serve_their_team(tenant_a, in_tenant, people_a):
    rep, rep2 = people_a["rep"], people_a["rep2"]
    with in_tenant(tenant_a):
        team = make_team("Team pool team", managers=[people_a["manager"]])
        team.members.set([rep])
        team_pool = pool_create(actor=None, name="Team only", team=team)
        (account,) = _pooled(team_pool)
        with pytest.raises(Http404):
            pool_account_get_for(viewer=fresh(rep2), account_id=account.pk)
        with pytest.raises(ValidationError):
            pool_claim(account=account, actor=rep2)
        assert pool_account_get_for(viewer=fresh(rep), account_id=account.pk) == account
        pool_claim(account=account, actor=rep)


POOL_MATRIX = {
    "admin": {"open", "team"}, "readonly": {"open", "team"}, "agent": {"open", "team"},
    "manager": {"open", "team"}, "rep": {"open", "team"}, "rep2": {"open"},
}


@pytest.mark.parametrize(("role", "expected"), list(POOL_MATRIX.items()))
def test_pool_visibility_matrix(tenant_a, in_tenant, people_a, role, expected):
    with in_tenant(tenant_a):
        team = make_team("Matrix team", managers=[people_a["manager"]])
        team.members.set([people_a["rep"]])
        pools = {"open": pool_create(actor=None, name="Open pool"),
                 "team": pool_create(actor=None, name="Matrix pool", team=team)}
        visible = set(pool_visible_queryset(viewer=fresh(people_a[role]))
                      .filter(pk__in=[p.pk for p in pools.values()]).values_list("pk", flat=True))
        assert visible == {pools[key].pk for key in expected}
        listed = {p.pk for p in pool_list(viewer=fresh(people_a[role]))}
        assert {pools[key].pk for key in expected} <= listed


def test_pool_settings_need_the_settings_right_and_validate(tenant_a, in_tenant, people_a, pool):
    with in_tenant(tenant_a):
        with pytest.raises(PermissionDenied):
            pool_update(pool=pool, actor=people_a["manager"], max_accounts_per_rep=5)
        with pytest.raises(ValidationError):
            pool_update(pool=pool, actor=people_a["admin"], max_accounts_per_rep=0)
        with pytest.raises(ValidationError):
            pool_create(actor=people_a["admin"], name="claims POOL")
        pool_update(pool=pool, actor=people_a["admin"], max_accounts_per_rep=5,
                    warn_days_before=7)
        pool.rule.refresh_from_db()
        assert (pool.rule.max_accounts_per_rep, pool.rule.warn_days_before) == (5, 7)


def test_provisioned_tenant_has_a_default_pool_and_the_step_is_idempotent(tenant_a, in_tenant):
    from crm.pool.models import Pool
    from crm.pool.services import default_pool_ensure

    with in_tenant(tenant_a):
        pool = Pool.objects.get(team__isnull=True, region="", name="Shared pool")
        assert pool.rule.max_accounts_per_rep == 50
        assert default_pool_ensure() == pool
        assert Pool.objects.filter(name="Shared pool").count() == 1
