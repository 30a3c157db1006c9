"""Demo data: the region list (the regions the demo accounts, leads and pools use, with the
Chinese sales regions as territories) and two sales teams, East and South, so that team
visibility shows: manager@demo.test manages East with rep@demo.test and rep2@demo.test;
rep2 is in South too. Idempotent; teams are built directly (no admin actor in a seeder), the
same rows crm.core.teams would write."""

from django.apps import apps
from django.db import transaction

from crm.core.models import Region, Team
from tenants.demo import demo_seeder
from tenants.users.models import User

REGIONS = ("North", "East", "South", "West", "Central")
TERRITORIES = {"华东": "East", "华南": "South"}
TEAMS = (
    # name, region, managers, members
    ("East", "East", ("manager@demo.test",), ("rep@demo.test", "rep2@demo.test")),
    ("South", "South", ("admin@demo.test",), ("rep2@demo.test",)),
)


def _region(name: str, parent: Region | None = None) -> Region:
    region = Region.objects.filter(name__iexact=name).first()
    if region is None:
        region = Region.objects.create(name=name, parent=parent)
    return region


def _regions_in_use() -> set[str]:
    """Region values the demo records already hold, so the list covers them."""
    values: set[str] = set()
    for label, field in (("crm_accounts.Account", "region"), ("crm_leads.Lead", "region")):
        model = apps.get_model(label)
        values.update(model.objects.exclude(**{field: ""}).values_list(field, flat=True)
                      .distinct())
    return values


@demo_seeder(name="teams", order=60)
def seed_teams() -> None:
    with transaction.atomic():
        for name in REGIONS:
            _region(name)
        for name, parent in TERRITORIES.items():
            _region(name, parent=_region(parent))
        for name in sorted(_regions_in_use()):
            _region(name.strip()[:100])
        users = {user.email: user for user in User.objects.filter(
            email__in={email for team in TEAMS for email in (*team[2], *team[3])})}
        for name, region, managers, members in TEAMS:
            team = Team.objects.active().filter(name__iexact=name).first()
            if team is None:
                team = Team.objects.create(name=name, region=_region(region))
            team.managers.add(*(users[email] for email in managers if email in users))
            team.members.add(*(users[email] for email in members if email in users))
