"""Who sees which leads: the role matrix, teams, the queue, and tenant isolation."""

import pytest
from django.http import Http404

from crm.leads.selectors import (
    campaigns_visible_to,
    lead_get_for,
    lead_queue,
    leads_visible_to,
)
from crm.leads.services import campaign_create
from tenants.users.models import User
from tests.crm.core.factories import make_team

pytestmark = pytest.mark.usefixtures("no_rules")


@pytest.fixture
def leads_a(tenant_a, in_tenant, people_a, make_lead):
    with in_tenant(tenant_a):
        team = make_team("Team One", managers=[people_a["manager"]])
        team.members.set([people_a["rep"]])
        return {
            "rep": make_lead(actor=people_a["rep"], owner=people_a["rep"]),
            "rep2": make_lead(actor=people_a["rep2"], owner=people_a["rep2"]),
            "queue": make_lead(actor=people_a["rep"]),
        }


# viewer -> which of the three leads they see
MATRIX = {
    "admin": {"rep", "rep2", "queue"},
    "readonly": {"rep", "rep2", "queue"},
    "manager": {"rep", "queue"},  # their team (rep) and the queue; rep2 is in no team of theirs
    "rep": {"rep", "queue"},
    "rep2": {"rep2", "queue"},
    "agent": set(),  # service agents see no leads at all
}


@pytest.mark.parametrize(("role", "expected"), list(MATRIX.items()))
def test_lead_visibility_matrix(tenant_a, in_tenant, people_a, leads_a, role, expected):
    with in_tenant(tenant_a):
        viewer = User.objects.get(pk=people_a[role].pk)
        visible = set(leads_visible_to(viewer).values_list("pk", flat=True))
        assert visible == {leads_a[key].pk for key in expected}
        for key, lead in leads_a.items():
            if key in expected:
                assert lead_get_for(viewer=viewer, lead_id=lead.pk) == lead
            else:
                with pytest.raises(Http404):
                    lead_get_for(viewer=viewer, lead_id=lead.pk)


def test_unassigned_leads_form_the_reps_queue(tenant_a, in_tenant, people_a, leads_a):
    with in_tenant(tenant_a):
        queue = list(lead_queue(viewer=User.objects.get(pk=people_a["rep2"].pk)))
        assert queue == [leads_a["queue"]]


def test_unknown_and_malformed_ids_are_404(tenant_a, in_tenant, people_a):
    with in_tenant(tenant_a):
        for lead_id in (999999, "abc", None):
            with pytest.raises(Http404):
                lead_get_for(viewer=people_a["admin"], lead_id=lead_id)


def test_campaigns_are_hidden_from_service_agents(tenant_a, in_tenant, people_a):
    with in_tenant(tenant_a):
        campaign = campaign_create(actor=people_a["rep"], name="Visible to sales")
        assert campaign in campaigns_visible_to(User.objects.get(pk=people_a["rep2"].pk))
        assert campaign in campaigns_visible_to(User.objects.get(pk=people_a["readonly"].pk))
        assert not campaigns_visible_to(User.objects.get(pk=people_a["agent"].pk)).exists()


def test_another_tenants_lead_does_not_exist_here(
    tenant_a, tenant_b, in_tenant, people_a, people_b, make_lead
):
    with in_tenant(tenant_b):
        other = make_lead(actor=people_b["admin"], owner=people_b["rep"])
    with in_tenant(tenant_a):
        assert not leads_visible_to(people_a["admin"]).filter(pk=other.pk,
                                                              email=other.email).exists()
