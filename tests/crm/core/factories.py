"""Teams and regions for tests: rows built directly (the rules of crm.core.teams have their
own tests in test_teams.py)."""

from collections.abc import Iterable

from crm.core.models import Region, Team
from tenants.users.models import User


def make_region(name: str, *, parent: Region | None = None, active: bool = True) -> Region:
    region, _created = Region.objects.get_or_create(
        name=name, defaults={"parent": parent, "active": active})
    return region


def make_team(name: str, *, managers: Iterable[User | None] = (),
              members: Iterable[User] = (), region: str | Region | None = None) -> Team:
    if isinstance(region, str):
        region = make_region(region) if region else None
    team = Team.objects.create(name=name, region=region)
    team.managers.set([manager for manager in managers if manager is not None])
    team.members.set(list(members))
    return team
