"""Service requests: numbering, who and what they may name, reported_at never in the
future, the status machine with its history and events, reopening within the tenant's
window, the rating once after resolution, isolation and the agent's queue."""

import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from crm.service.models import RequestStatus, ServiceSettings, StatusChange
from crm.service.selectors import agent_queue, service_request_get_for
from crm.service.services import (
    service_request_assign,
    service_request_close,
    service_request_rate,
    service_request_reopen,
    service_request_resolve,
    service_request_status_set,
)
from tests.crm.service.service_factories import make_queue, new_asset, new_request

S = RequestStatus


def test_requests_are_numbered_per_tenant_and_year(service_world):
    first = new_request(actor=service_world["admin"], account=service_world["mine"])
    second = new_request(actor=service_world["admin"], account=service_world["mine"])
    year = timezone.localdate().year
    assert re.fullmatch(rf"SR-{year}-\d{{5}}", first.number)
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1


def test_the_contact_must_be_of_the_account_and_the_asset_of_it_or_its_branches(service_world):
    admin, mine = service_world["admin"], service_world["mine"]
    with pytest.raises(ValidationError) as error:
        new_request(actor=admin, account=mine, contact=service_world["other_contact"])
    assert "contact" in error.value.message_dict
    foreign = new_asset(actor=admin, account=service_world["theirs"])
    with pytest.raises(ValidationError) as error:
        new_request(actor=admin, account=mine, asset=foreign)
    assert "asset" in error.value.message_dict
    at_branch = new_asset(actor=admin, account=service_world["branch"])
    assert new_request(actor=admin, account=mine, asset=at_branch,
                       contact=service_world["contact"]).asset == at_branch


def test_reported_at_may_be_in_the_past_but_never_in_the_future(service_world):
    admin, mine = service_world["admin"], service_world["mine"]
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        new_request(actor=admin, account=mine, reported_at=now + timedelta(minutes=5), now=now)
    assert "reported_at" in error.value.message_dict
    call = new_request(actor=admin, account=mine, reported_at=now - timedelta(hours=3),
                       severity="high", now=now)
    # The 24x7 policy's high target: first response 60 minutes after the call, not after now.
    assert call.first_response_due == call.reported_at + timedelta(minutes=60)
    assert call.breached is True  # three hours ago, nobody answered


def test_a_new_request_lands_in_its_queue_with_an_agent_and_the_history_says_so(
        service_world, django_capture_on_commit_callbacks, monkeypatch):
    events = []
    monkeypatch.setattr("crm.core.events.dispatch", lambda event: events.append(event))
    with django_capture_on_commit_callbacks(execute=True):
        request = new_request(actor=service_world["admin"], account=service_world["mine"])
        service_request_status_set(request=request, actor=service_world["agent"],
                                   status=S.IN_PROGRESS)
    request.refresh_from_db()
    assert request.queue == service_world["queue"]
    assert request.assignee == service_world["agent"]
    assert [(c.from_status, c.to_status) for c in StatusChange.objects.filter(request=request)
            ] == [("", S.NEW), (S.NEW, S.ASSIGNED), (S.ASSIGNED, S.IN_PROGRESS)]
    assert [e.type for e in events] == ["service_request.created",
                                        "service_request.status_changed"]
    assert events[1].data["to"] == S.IN_PROGRESS


def test_a_category_queue_wins_over_the_default_queue(service_world, tenant_a):
    hardware = make_queue(agents=[tenant_a.users["admin"]], categories=["Hardware"])
    request = new_request(actor=service_world["admin"], account=service_world["mine"],
                          category="hardware")
    assert request.queue == hardware
    assert request.assignee == tenant_a.users["admin"]


def test_impossible_moves_are_refused_and_only_service_staff_move_requests(service_world):
    request = new_request(actor=service_world["admin"], account=service_world["mine"])
    agent = service_world["agent"]
    service_request_close(request=request, actor=agent)
    with pytest.raises(ValidationError):
        service_request_status_set(request=request, actor=agent, status=S.IN_PROGRESS)
    other = new_request(actor=service_world["rep"], account=service_world["mine"])
    with pytest.raises(PermissionDenied):
        service_request_status_set(request=other, actor=service_world["rep"],
                                   status=S.IN_PROGRESS)


def test_waiting_on_the_customer_pauses_the_resolution_clock(service_world):
    now = timezone.now()
    agent = service_world["agent"]
    request = new_request(actor=service_world["admin"], account=service_world["mine"], now=now)
    due = request.resolution_due
    service_request_status_set(request=request, actor=agent, status=S.WAITING_ON_CUSTOMER,
                               now=now + timedelta(minutes=10))
    resumed = service_request_status_set(request=request, actor=agent, status=S.IN_PROGRESS,
                                         now=now + timedelta(minutes=70))
    assert resumed.resolution_due == due + timedelta(minutes=60)


def test_reopen_only_within_the_tenants_window(service_world):
    agent, now = service_world["agent"], timezone.now()
    settings_row = ServiceSettings.current()
    settings_row.reopen_days = 3
    settings_row.save()
    request = new_request(actor=service_world["admin"], account=service_world["mine"], now=now)
    with pytest.raises(ValidationError):
        service_request_reopen(request=request, actor=agent, now=now)
    service_request_resolve(request=request, actor=agent, now=now + timedelta(hours=1))
    service_request_close(request=request, actor=agent, now=now + timedelta(hours=2))
    reopened = service_request_reopen(request=request, actor=agent,
                                      now=now + timedelta(days=2, hours=23))
    assert reopened.status == S.ASSIGNED
    assert reopened.resolved_at is None
    assert reopened.closed_at is None
    service_request_resolve(request=request, actor=agent, now=now + timedelta(days=3))
    with pytest.raises(ValidationError) as error:
        service_request_reopen(request=request, actor=agent,
                               now=now + timedelta(days=6, hours=1))
    assert "status" in error.value.message_dict


def test_a_rating_only_once_and_only_after_resolution(service_world):
    agent, admin = service_world["agent"], service_world["admin"]
    request = new_request(actor=admin, account=service_world["mine"])
    with pytest.raises(ValidationError):
        service_request_rate(request=request, actor=admin, score=4)
    service_request_resolve(request=request, actor=agent)
    with pytest.raises(ValidationError):
        service_request_rate(request=request, actor=admin, score=6)
    rated = service_request_rate(request=request, actor=admin, score=4, remark="Fast")
    assert (rated.rating_score, rated.rating_remark) == (4, "Fast")
    with pytest.raises(ValidationError):
        service_request_rate(request=request, actor=admin, score=5)


def test_assigning_by_hand_needs_a_service_agent(service_world):
    request = new_request(actor=service_world["admin"], account=service_world["mine"])
    with pytest.raises(ValidationError):
        service_request_assign(request=request, actor=service_world["admin"],
                               assignee=service_world["rep"])
    with pytest.raises(PermissionDenied):
        service_request_assign(request=request, actor=service_world["rep"],
                               assignee=service_world["agent"])
    assigned = service_request_assign(request=request, actor=service_world["admin"],
                                      assignee=service_world["admin"])
    assert assigned.assignee == service_world["admin"]


def test_reps_see_their_accounts_requests_agents_all(service_world):
    request = new_request(actor=service_world["rep"], account=service_world["mine"])
    assert service_request_get_for(viewer=service_world["rep"], request_id=request.pk)
    assert service_request_get_for(viewer=service_world["agent"], request_id=request.pk)
    with pytest.raises(Http404):
        service_request_get_for(viewer=service_world["rep2"], request_id=request.pk)


# --- API ------------------------------------------------------------------------------

API = "/api/v1/service-requests/"
ANSWER_FIELDS = {"id", "number", "status", "sla_policy", "first_response_due",
                 "resolution_due", "first_response_at", "resolved_at", "breached"}


def _post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_the_api_opens_a_request_and_answers_the_fixed_names(tenant_a, tenant_client,
                                                              service_world):
    client = tenant_client(tenant_a, service_world["agent"])
    reported = (timezone.now() - timedelta(minutes=20)).isoformat()
    response = _post(client, API, {"account": service_world["mine"].pk, "severity": "high",
                                   "subject": "Pump noisy", "description": "Since Monday",
                                   "contact": service_world["contact"].pk, "channel": "phone",
                                   "reported_at": reported})
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= ANSWER_FIELDS
    assert body["sla_policy"] == service_world["policy"].pk
    assert re.search(r"(Z|[+-]\d\d:\d\d)$", body["first_response_due"])
    assert body["status"] == "assigned"
    assert body["breached"] is False
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    refused = _post(client, API, {"account": service_world["mine"].pk, "severity": "low",
                                  "subject": "x", "description": "", "reported_at": future})
    assert refused.status_code == 400
    assert "reported_at" in refused.json()


def test_the_api_actions_move_the_request(tenant_a, tenant_client, service_world):
    client = tenant_client(tenant_a, service_world["agent"])
    created = _post(client, API, {"account": service_world["mine"].pk, "severity": "normal",
                                  "subject": "Display dark", "description": ""}).json()
    base = f"{API}{created['id']}"
    comment = _post(client, f"{base}/comments/", {"body": "On it", "public": True})
    assert comment.status_code == 201
    assert client.get(f"{base}/").json()["first_response_at"] is not None
    assert _post(client, f"{base}/status/", {"status": "waiting_on_customer"}).json()[
        "status"] == "waiting_on_customer"
    assert _post(client, f"{base}/status/", {"status": "bogus"}).status_code == 400
    work = _post(client, f"{base}/work-logs/", {"kind": "remote", "minutes": 30})
    assert work.status_code == 201
    assert work.json()["minutes"] == 30
    resolved = _post(client, f"{base}/resolve/", {}).json()
    assert resolved["status"] == "resolved"
    assert resolved["resolved_at"]
    assert _post(client, f"{base}/rate/", {"score": 5, "remark": "ok"}).json()[
        "rating_score"] == 5
    assert _post(client, f"{base}/rate/", {"score": 4}).status_code == 400
    assert _post(client, f"{base}/close/", {}).json()["status"] == "closed"
    assert _post(client, f"{base}/reopen/", {"reason": "Back"}).json()["status"] == "assigned"
    assigned = _post(client, f"{base}/assign/", {"assignee": service_world["admin"].pk})
    assert assigned.json()["assignee"] == service_world["admin"].pk


def test_another_tenant_and_another_rep_get_404(tenant_a, tenant_b, tenant_client, in_tenant,
                                                service_world):
    with in_tenant(tenant_a):
        request = new_request(actor=service_world["rep"], account=service_world["mine"])
    for client in (tenant_client(tenant_b, tenant_b.users["admin"]),
                   tenant_client(tenant_a, service_world["rep2"])):
        assert client.get(f"{API}{request.pk}/").status_code == 404
        assert _post(client, f"{API}{request.pk}/comments/",
                     {"body": "x", "public": True}).status_code == 404
        assert client.get(f"/crm/service/requests/{request.pk}/").status_code == 404
    assert tenant_client(tenant_a, service_world["rep"]).get(
        f"/crm/service/requests/{request.pk}/").status_code == 200


# --- the agent's queue ----------------------------------------------------------------

def test_the_agent_queue_lists_mine_and_my_queues_unassigned_by_due_time(
        service_world, tenant_a):
    agent, admin, now = service_world["agent"], service_world["admin"], timezone.now()
    later = new_request(actor=admin, account=service_world["mine"], severity="low", now=now)
    sooner = new_request(actor=admin, account=service_world["mine"], severity="critical",
                         now=now)
    unassigned = new_request(actor=admin, account=service_world["mine"], now=now)
    service_request_assign(request=unassigned, actor=admin, assignee=admin)
    from crm.service.models import ServiceRequest

    ServiceRequest.objects.filter(pk=unassigned.pk).update(assignee=None)
    elsewhere_queue = make_queue(agents=[admin])
    elsewhere = new_request(actor=admin, account=service_world["mine"])
    ServiceRequest.objects.filter(pk=elsewhere.pk).update(assignee=None, queue=elsewhere_queue)
    done = new_request(actor=admin, account=service_world["mine"])
    service_request_resolve(request=done, actor=agent)
    rows = agent_queue(viewer=agent)[0:50]
    assert [row.pk for row in rows] == [sooner.pk, unassigned.pk, later.pk]
    assert [row.pk for row in agent_queue(viewer=agent)[1:2]] == [unassigned.pk]


def test_the_agent_queue_page_has_a_fixed_query_count(tenant_a, tenant_client, in_tenant,
                                                      service_world,
                                                      django_assert_num_queries):
    with in_tenant(tenant_a):
        for severity in ["critical", "high", "normal", "low"] * 5:
            asset = new_asset(actor=service_world["admin"], account=service_world["mine"])
            new_request(actor=service_world["admin"], account=service_world["mine"],
                        asset=asset, severity=severity)
    client = tenant_client(tenant_a, service_world["agent"])
    response = client.get("/crm/service/")
    assert response.status_code == 200
    assert response.content.decode().count("/crm/service/requests/") >= 20
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get("/crm/service/")
    with in_tenant(tenant_a):
        for _ in range(5):
            new_request(actor=service_world["admin"], account=service_world["theirs"],
                        asset=new_asset(actor=service_world["admin"],
                                        account=service_world["theirs"]))
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/crm/service/")


def test_a_service_agents_home_is_their_queue(tenant_a, tenant_client):
    agent = tenant_client(tenant_a, tenant_a.users["agent"])
    response = agent.get("/crm/")
    assert (response.status_code, response["Location"]) == (302, "/crm/service/")
    assert agent.get("/crm/service/").status_code == 200
    assert tenant_client(tenant_a, tenant_a.users["rep"]).get("/crm/").status_code == 200
