"""/api/v1/activities/: list with filters and cursor, create, check-in, comments, likes;
400s for bad input, 404 across reps and tenants, a query budget on the list."""

from datetime import timedelta

from django.utils import timezone

from crm.activities.models import ActivityKind
from crm.activities.services import activity_log
from tests.crm.accounts.factories import make_account
from tests.crm.core.factories import make_team

API = "/api/v1/activities/"


def test_list_filters_paginates_by_cursor_and_keeps_its_query_budget(
        tenant_a, in_tenant, people_a, tenant_client, django_assert_max_num_queries):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        account = make_account(owner=rep)
        for index in range(60):
            activity_log(actor=rep, kind=ActivityKind.CALL if index % 3 else ActivityKind.VISIT,
                         subject=f"Call {index}", target=account)
        activity_log(actor=people_a["rep2"], kind=ActivityKind.CALL, subject="hidden",
                     target=make_account(owner=people_a["rep2"]))
    client = tenant_client(tenant_a, rep)
    with django_assert_max_num_queries(8):
        first = client.get(API)
    assert first.status_code == 200
    body = first.json()
    assert len(body["results"]) == 50
    assert body["next"]
    second = client.get(body["next"]).json()
    assert len(second["results"]) == 10
    subjects = {row["subject"] for row in body["results"] + second["results"]}
    assert "hidden" not in subjects
    visits = client.get(API, {"kind": "visit", "account": account.pk}).json()["results"]
    assert len(visits) == 20
    assert {row["target_type"] for row in visits} == {"account"}


def test_create_and_complete_a_task(tenant_a, in_tenant, people_a, tenant_client):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        account = make_account(owner=rep)
    client = tenant_client(tenant_a, rep)
    due = (timezone.now() + timedelta(days=1)).isoformat()
    created = client.post(API, {"kind": "task", "subject": "Send quote", "due_at": due,
                                "target_type": "account", "target_id": account.pk},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    task = created.json()
    assert task["account"] == account.pk
    assert task["done_at"] is None
    done = client.post(f"{API}{task['id']}/complete/")
    assert done.status_code == 200
    assert done.json()["done_at"]


def test_bad_input_answers_400_with_field_errors(tenant_a, in_tenant, people_a, tenant_client):
    client = tenant_client(tenant_a, people_a["rep"])
    cases = [
        ({"kind": "task", "subject": "x"}, "due_at"),
        ({"kind": "call"}, "subject"),
        ({"kind": "dance", "subject": "x"}, "kind"),
        ({"kind": "call", "subject": "x", "target_type": "account"}, "target_id"),
        ({"kind": "call", "subject": "x", "target_type": "spaceship", "target_id": 1},
         "target_type"),
    ]
    for payload, field in cases:
        response = client.post(API, payload, content_type="application/json")
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json(), (payload, response.json())
    bad_point = client.post(f"{API}check-in/", {"latitude": "100", "longitude": "10"},
                            content_type="application/json")
    assert bad_point.status_code == 400
    assert "latitude" in bad_point.json()
    empty_comment = client.post(f"{API}999999/comments/", {"body": "hi"},
                                content_type="application/json")
    assert empty_comment.status_code == 404


def test_check_in_comments_and_idempotent_likes(tenant_a, in_tenant, people_a, tenant_client):
    rep, rep2 = people_a["rep"], people_a["rep2"]  # rep2 is on no team with rep
    with in_tenant(tenant_a):
        # Sales logs are shared along the owner scope: the manager of rep's team sees them.
        make_team("Feed team", managers=[people_a["manager"]]).members.set([rep])
        account = make_account(owner=rep)
        log = activity_log(actor=rep, kind=ActivityKind.LOG, subject="Tuesday")
    client = tenant_client(tenant_a, rep)
    visit = client.post(f"{API}check-in/", {"latitude": "31.23", "longitude": "121.47",
                                            "target_type": "account", "target_id": account.pk},
                        content_type="application/json")
    assert visit.status_code == 201
    assert visit.json()["checked_in_at"]
    other = tenant_client(tenant_a, people_a["manager"])
    assert tenant_client(tenant_a, rep2).post(f"{API}{log.pk}/like/").status_code == 404
    assert other.post(f"{API}{log.pk}/like/").json() == {"liked": True, "count": 1}
    assert other.post(f"{API}{log.pk}/like/").json() == {"liked": True, "count": 1}
    assert other.post(f"{API}{log.pk}/comments/", {"body": ""},
                      content_type="application/json").status_code == 400
    assert other.post(f"{API}{log.pk}/comments/", {"body": "Nice"},
                      content_type="application/json").status_code == 201
    assert [c["body"] for c in client.get(f"{API}{log.pk}/comments/").json()] == ["Nice"]


def test_records_of_another_rep_or_tenant_are_404(tenant_a, tenant_b, in_tenant, people_a,
                                                  people_b, tenant_client):
    with in_tenant(tenant_a):
        theirs = make_account(owner=people_a["rep2"])
        private = activity_log(actor=people_a["rep2"], kind=ActivityKind.CALL, subject="p",
                               target=theirs)
    with in_tenant(tenant_b):
        foreign = activity_log(actor=people_b["rep"], kind=ActivityKind.LOG, subject="beta")
    client = tenant_client(tenant_a, people_a["rep"])
    assert client.get(f"{API}{private.pk}/").status_code == 404
    assert client.get(f"{API}{foreign.pk}/").status_code == 404
    assert client.post(f"{API}{private.pk}/complete/").status_code == 404
    # An activity cannot be hung on a record one may not see.
    response = client.post(API, {"kind": "call", "subject": "x", "target_type": "account",
                                 "target_id": theirs.pk}, content_type="application/json")
    assert response.status_code == 404
    assert client.get(API).json()["results"] == []


def test_read_only_users_and_anonymous_callers_cannot_write(tenant_a, people_a, tenant_client):
    readonly = tenant_client(tenant_a, people_a["readonly"])
    assert readonly.post(API, {"kind": "log", "subject": "x"},
                         content_type="application/json").status_code == 403
    assert tenant_client(tenant_a).get(API).status_code in (401, 403)
