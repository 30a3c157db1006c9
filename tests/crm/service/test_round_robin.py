"""Round-robin among a queue's available agents is fair: over any run of requests each
available agent gets the same number, give or take one, and an unavailable agent none."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from crm.service.models import ServiceRequest
from crm.service.services import agent_availability_set
from crm.service.services.assignment import next_in_turn, round_robin_next
from tenants.users.models import Role, User, UserKind
from tests.crm.service.service_factories import make_queue, new_request


@settings(max_examples=200, deadline=None)
@given(agents=st.sets(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=12),
       last=st.one_of(st.none(), st.integers(min_value=0, max_value=10_000)),
       turns=st.integers(min_value=1, max_value=60))
def test_turns_go_round_fairly_from_wherever_the_last_turn_stopped(agents, last, turns):
    ordered = sorted(agents)
    counts: Counter[int] = Counter()
    for _ in range(turns):
        last = next_in_turn(ordered, last)
        counts[last] += 1
    assert set(counts) <= agents
    assert max(counts.values()) - min(counts.get(agent, 0) for agent in agents) <= 1


def _agent(email: str) -> User:
    return User.objects.create_user(email=email, password="x-Long-pass-1",
                                    role=Role.SERVICE_AGENT, kind=UserKind.STAFF)


def test_requests_of_a_queue_are_shared_evenly_and_skip_unavailable_agents(service_world):
    agents = [_agent(f"rr{index}@alpha.test") for index in range(3)]
    away = _agent("away@alpha.test")
    agent_availability_set(agent=away, actor=away, available=False)
    service_world["queue"].agents.set([*agents, away])
    for _ in range(10):
        new_request(actor=service_world["admin"], account=service_world["mine"])
    counts = Counter(ServiceRequest.objects.filter(queue=service_world["queue"])
                     .values_list("assignee_id", flat=True))
    assert away.pk not in counts
    assert sorted(counts.values()) == [3, 3, 4]


def test_a_queue_without_available_agents_leaves_the_request_new(service_world):
    queue = make_queue(agents=[service_world["agent"]])
    agent_availability_set(agent=service_world["agent"], actor=service_world["agent"],
                           available=False)
    assert round_robin_next(queue=queue) is None
    request = new_request(actor=service_world["admin"], account=service_world["mine"])
    assert request.status == "new"
    assert request.assignee is None
    assert request.queue == service_world["queue"]
