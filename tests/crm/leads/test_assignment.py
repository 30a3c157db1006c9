import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.leads.models import AssignmentStrategy, Lead, RoundRobinState
from crm.leads.services import assignment_rule_save, lead_assign
from tenants.users.models import Role, User, UserKind
from tests.crm.core.factories import make_region, make_team

pytestmark = pytest.mark.usefixtures("no_rules")


def _team(name, region, *members, manager=None):
    return make_team(name, region=region, managers=[manager], members=members)


def test_round_robin_takes_turns_within_the_team(tenant_a, in_tenant, people_a, make_lead):
    with in_tenant(tenant_a):
        rep, rep2 = people_a["rep"], people_a["rep2"]
        team = _team("Inside sales", "", rep, rep2, people_a["agent"])
        assignment_rule_save(actor=people_a["admin"], name="Everyone",
                             strategy=AssignmentStrategy.ROUND_ROBIN, team=team)
        owners = [make_lead(actor=None).owner for _ in range(4)]
        # Service agents never receive leads; the two reps alternate.
        first, second = sorted([rep, rep2], key=lambda user: user.pk)
        assert owners == [first, second, first, second]
        assert RoundRobinState.objects.get(team=team).assigned_count == 4


def test_region_rule_routes_to_the_team_of_that_region(
    tenant_a, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        _team("East team", "East", people_a["rep"])
        _team("West team", "West", people_a["rep2"])
        make_region("Mars")
        assignment_rule_save(actor=people_a["admin"], name="By region",
                             strategy=AssignmentStrategy.REGION)
        assert make_lead(region="east").owner == people_a["rep"]
        assert make_lead(region="West").owner == people_a["rep2"]
        assert make_lead(region="Mars").owner is None  # no team there: the queue


def test_rules_apply_in_order_with_conditions_and_queue(tenant_a, in_tenant, people_a,
                                                         make_lead):
    with in_tenant(tenant_a):
        admin = people_a["admin"]
        assignment_rule_save(actor=admin, name="Imports wait", order=1,
                             strategy=AssignmentStrategy.QUEUE, match_source="import")
        assignment_rule_save(actor=admin, name="North to rep2", order=2,
                             strategy=AssignmentStrategy.USER, match_region="North",
                             user=people_a["rep2"])
        assignment_rule_save(actor=admin, name="Rest to rep", order=3,
                             strategy=AssignmentStrategy.USER, user=people_a["rep"])
        assert make_lead(source="import", region="North").owner is None
        assert make_lead(region="north").owner == people_a["rep2"]
        assert make_lead(region="South").owner == people_a["rep"]


def test_no_rule_leaves_the_lead_in_the_queue_and_explicit_owner_wins(
    tenant_a, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        assert make_lead(actor=people_a["rep"]).owner is None
        assert make_lead(actor=people_a["rep"], owner=people_a["rep"]).owner == people_a["rep"]


def test_rule_for_round_robin_needs_a_team_and_user_rule_a_sales_user(
    tenant_a, in_tenant, people_a
):
    with in_tenant(tenant_a):
        with pytest.raises(ValidationError) as no_team:
            assignment_rule_save(actor=people_a["admin"], name="x",
                                 strategy=AssignmentStrategy.ROUND_ROBIN)
        assert "team" in no_team.value.message_dict
        with pytest.raises(ValidationError) as agent:
            assignment_rule_save(actor=people_a["admin"], name="x",
                                 strategy=AssignmentStrategy.USER, user=people_a["agent"])
        assert "user" in agent.value.message_dict


def test_reps_take_from_queue_but_only_managers_assign_others(
    tenant_a, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        rep, rep2 = people_a["rep"], people_a["rep2"]
        lead = make_lead(actor=rep)
        with pytest.raises(PermissionDenied):
            lead_assign(lead=lead, actor=rep, owner=rep2)
        lead_assign(lead=lead, actor=rep, owner=rep)
        assert Lead.objects.get(pk=lead.pk).owner == rep
        with pytest.raises(PermissionDenied):
            lead_assign(lead=lead, actor=rep2, owner=rep2)
        lead_assign(lead=lead, actor=people_a["manager"], owner=rep2)
        assert Lead.objects.get(pk=lead.pk).owner == rep2
        lead_assign(lead=lead, actor=rep2, owner=None)
        assert Lead.objects.get(pk=lead.pk).owner is None


def test_leads_cannot_be_given_to_service_agents_or_inactive_users(
    tenant_a, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        lead = make_lead(actor=people_a["rep"])
        with pytest.raises(ValidationError):
            lead_assign(lead=lead, actor=people_a["manager"], owner=people_a["agent"])
        gone = User.objects.create_user(email="gone@alpha.test", role=Role.SALES_REP,
                                        kind=UserKind.STAFF, is_active=False)
        with pytest.raises(ValidationError):
            lead_assign(lead=lead, actor=people_a["manager"], owner=gone)


def test_region_rule_routes_a_territory_to_its_regions_team(
    tenant_a, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        east = make_region("East")
        make_region("Shanghai", parent=east)
        _team("East team", east, people_a["rep2"])
        assignment_rule_save(actor=people_a["admin"], name="By region",
                             strategy=AssignmentStrategy.REGION)
        assert make_lead(region="shanghai").owner == people_a["rep2"]


def test_an_archived_teams_round_robin_rule_no_longer_assigns(
    tenant_a, in_tenant, people_a, make_lead
):
    from crm.core.teams import team_archive

    with in_tenant(tenant_a):
        team = _team("Closed team", "", people_a["rep"])
        assignment_rule_save(actor=people_a["admin"], name="Closed", team=team,
                             strategy=AssignmentStrategy.ROUND_ROBIN)
        assert make_lead().owner == people_a["rep"]
        team_archive(team=team, actor=people_a["admin"])
        assert make_lead().owner is None
