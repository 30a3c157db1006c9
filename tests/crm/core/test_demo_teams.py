"""The teams demo seeder: East (manager@demo.test with rep and rep2) and South, the region
list with territories; idempotent; team visibility shows for the demo rep."""

from crm.accounts.selectors import account_list
from crm.core.demo import seed_teams
from crm.core.models import Region, Team
from tenants.users.models import Role, User
from tests.crm.accounts.factories import make_account


def test_demo_teams_make_team_visibility_visible_and_are_idempotent(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        manager = User.objects.create_user(email="manager@demo.test", role=Role.MANAGER)
        rep = User.objects.create_user(email="rep@demo.test", role=Role.SALES_REP)
        rep2 = User.objects.create_user(email="rep2@demo.test", role=Role.SALES_REP)
        make_account(owner=rep2, name="Rosa's Customer", region="Central")
        seed_teams()
        seed_teams()
        east = Team.objects.get(name="East")
        assert list(east.managers.all()) == [manager]
        assert set(east.members.all()) == {rep, rep2}
        assert east.region.name == "East"
        assert Team.objects.filter(name="South", members=rep2).exists()
        assert Team.objects.count() == 2
        assert Region.objects.get(name="华东").parent.name == "East"
        assert Region.objects.filter(name="Central").count() == 1
        viewer = User.objects.get(pk=rep.pk)
        assert account_list(viewer=viewer).filter(name="Rosa's Customer").exists()
