from crm.core.visibility import owner_scope_for, scope_by_owner
from tenants.users.models import User
from tests.crm.core.factories import make_team


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # owner scope is memoised per user object


def test_rep_sees_own_teammates_and_pool_but_not_other_teams(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        outsider = User.objects.create_user(email="outsider@alpha.test", role="sales_rep")
        east = make_team("East", managers=[users["manager"]])
        east.members.add(users["rep"], users["rep2"])
        west = make_team("West")
        west.members.add(outsider)

        scope = owner_scope_for(_fresh(users["rep"]))
        assert scope.owner_ids == frozenset({users["rep"].pk, users["rep2"].pk})
        assert scope.include_unowned is True

        manager_scope = owner_scope_for(_fresh(users["manager"]))
        assert manager_scope.owner_ids == frozenset(
            {users["manager"].pk, users["rep"].pk, users["rep2"].pk})

        outsider_scope = owner_scope_for(_fresh(outsider))
        assert outsider_scope.owner_ids == frozenset({outsider.pk})


def test_admin_and_read_only_see_everything_and_members_nothing(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        assert owner_scope_for(_fresh(users["admin"])).sees_all
        assert owner_scope_for(_fresh(users["readonly"])).sees_all
        member = User.objects.create_user(email="m@customer.test", kind="member")
        assert owner_scope_for(member).owner_ids == frozenset()
        assert not scope_by_owner(User.objects.all(), member, owner_field="manager").exists()
