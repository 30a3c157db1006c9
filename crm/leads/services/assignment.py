"""Lead routing: assignment rules (round-robin within a team, by region, to a named user or
to the unassigned queue) and the round-robin state."""

from typing import TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crm.core.models import Team
from crm.core.regions import region_clean
from crm.leads.models import AssignmentRule, AssignmentStrategy, Lead, RoundRobinState
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

ASSIGNMENT_RULE_FIELDS = (
    "name", "order", "active", "strategy", "match_region", "match_source", "team", "user",
)


class AssignmentRuleFields(TypedDict, total=False):
    """What ``assignment_rule_save`` accepts (``ASSIGNMENT_RULE_FIELDS``)."""

    name: str
    order: int
    active: bool
    strategy: str
    match_region: str
    match_source: str
    team: Team | None
    user: User | None


def can_own_leads(user: User | None) -> bool:
    """Only active sales staff may own leads (never service agents or read-only users)."""
    return bool(user is not None and user.is_active and can(user, Capability.MANAGE_SALES))


def _team_members(team: Team) -> list[User]:
    members = team.members.filter(is_active=True, kind=UserKind.STAFF).order_by("id")
    return [member for member in members if can_own_leads(member)]


def next_in_team(team: Team) -> User | None:
    """The next member of ``team`` in turn (by id, wrapping round), recorded as the last."""
    members = _team_members(team)
    if not members:
        return None
    try:
        with transaction.atomic():
            state, _created = RoundRobinState.objects.select_for_update().get_or_create(team=team)
    except IntegrityError:  # created concurrently: the row exists now
        state = RoundRobinState.objects.select_for_update().get(team=team)
    last_id = state.last_user_id or 0
    chosen = next((member for member in members if member.pk > last_id), members[0])
    state.last_user = chosen
    state.assigned_count += 1
    state.save(update_fields=["last_user", "assigned_count", "updated_at"])
    return chosen


def _rule_applies(rule: AssignmentRule, lead: Lead) -> bool:
    if rule.match_region and rule.match_region.casefold() != lead.region.strip().casefold():
        return False
    return not (rule.match_source and rule.match_source != lead.source)


def _team_of_region(region: str) -> Team | None:
    """The active team of ``region``; for a territory without a team, its region's team."""
    if not region:
        return None
    teams = Team.objects.active().order_by("id")
    return (teams.filter(region__name__iexact=region).first()
            or teams.filter(region__territories__name__iexact=region).first())


def owner_by_rules(lead: Lead) -> User | None:
    """The owner the first applicable rule picks; None puts the lead in the queue."""
    rules = AssignmentRule.objects.filter(active=True).select_related("team", "user")
    for rule in rules.order_by("order", "id"):
        if not _rule_applies(rule, lead):
            continue
        if rule.strategy == AssignmentStrategy.QUEUE:
            return None
        if rule.strategy == AssignmentStrategy.USER:
            if can_own_leads(rule.user):
                return rule.user
            continue
        team = rule.team
        if rule.strategy == AssignmentStrategy.REGION:
            team = _team_of_region(lead.region.strip())
        if team is not None and not team.archived:
            chosen = next_in_team(team)
            if chosen is not None:
                return chosen
    return None


def _validate_assignment_rule(rule: AssignmentRule) -> None:
    errors: dict[str, str] = {}
    if rule.strategy == AssignmentStrategy.ROUND_ROBIN and rule.team_id is None:
        errors["team"] = _("Choose the team whose members take turns.")
    if rule.strategy == AssignmentStrategy.USER:
        if rule.user_id is None:
            errors["user"] = _("Choose the user who gets these leads.")
        elif not can_own_leads(rule.user):
            errors["user"] = _("This user cannot own leads.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def assignment_rule_save(
    *, actor: User, rule: AssignmentRule | None = None, **fields: Unpack[AssignmentRuleFields]
) -> AssignmentRule:
    """Create (``rule=None``) or change an assignment rule."""
    if not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied
    rule = rule or AssignmentRule()
    current_region = rule.match_region
    for name, value in fields.items():
        if name not in ASSIGNMENT_RULE_FIELDS:
            raise ValidationError({name: _("Unknown field.")})
        setattr(rule, name, value)
    if rule.strategy != AssignmentStrategy.ROUND_ROBIN:
        rule.team = None
    if rule.strategy != AssignmentStrategy.USER:
        rule.user = None
    rule.match_region = region_clean(rule.match_region, field="match_region",
                                     current=current_region)
    _validate_assignment_rule(rule)
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def assignment_rule_delete(*, actor: User, rule: AssignmentRule) -> None:
    if not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied
    rule.delete()
