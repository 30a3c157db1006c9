"""/api/v1/users/: the integrators' field names, invite (201 invited), role change, the
deactivate / reactivate actions, 400s for rule violations, 403 for non-admins, 404 for
another tenant's ids, and the list's query budget."""

import pytest

from crm.core.models import Team
from crm.staff.services.invitations import invitation_create
from tenants.users.models import Role, User, UserKind

from .conftest import fresh

API = "/api/v1/users/"
FIELDS = {"id", "email", "first_name", "last_name", "role", "status", "teams", "last_login"}


def test_list_answers_the_fixed_fields_within_the_query_budget(
        tenant_a, in_tenant, people_a, tenant_client, django_assert_max_num_queries):
    with in_tenant(tenant_a):
        teams = [Team.objects.create(name=f"Team {i}") for i in range(3)]
        for index in range(25):
            user = User.objects.create_user(email=f"bulk{index}@alpha.test", role=Role.SALES_REP,
                                            kind=UserKind.STAFF)
            user.teams.add(*teams[: index % 3 + 1])
        invitation_create(email="inv@alpha.test", role=Role.MANAGER, actor=people_a["admin"])
    client = tenant_client(tenant_a, people_a["admin"])

    with django_assert_max_num_queries(8):
        response = client.get(API, {"page_size": 100})

    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 7 + 25 + 1
    assert all(set(row) == FIELDS for row in rows)
    by_email = {row["email"]: row for row in rows}
    assert by_email["inv@alpha.test"]["status"] == "invited"
    assert by_email["bulk2@alpha.test"]["teams"] == [t.pk for t in teams]
    assert by_email["bulk0@alpha.test"]["teams"] == [teams[0].pk]
    assert by_email["rep@alpha.test"]["status"] == "active"


def test_post_invites_and_answers_201_invited(tenant_a, in_tenant, people_a, tenant_client,
                                             django_capture_on_commit_callbacks):
    client = tenant_client(tenant_a, people_a["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(API, {"email": "api@alpha.test", "first_name": "Api",
                                     "last_name": "User", "role": Role.SALES_REP},
                               content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == FIELDS
    assert (body["status"], body["role"], body["teams"], body["last_login"]) == (
        "invited", Role.SALES_REP, [], None)
    from django.core import mail

    assert mail.outbox[0].to == ["api@alpha.test"]


@pytest.mark.parametrize("body", [
    {"email": "not-an-email", "role": Role.SALES_REP},
    {"email": "x@alpha.test", "role": "emperor"},
    {"email": "rep@alpha.test", "role": Role.SALES_REP},  # already a user
    {},
])
def test_bad_invitations_answer_400(tenant_a, people_a, tenant_client, body):
    response = tenant_client(tenant_a, people_a["admin"]).post(API, body,
                                                               content_type="application/json")
    assert response.status_code == 400


def test_patch_changes_the_role(tenant_a, in_tenant, people_a, tenant_client):
    rep = people_a["rep"]
    response = tenant_client(tenant_a, people_a["admin"]).patch(
        f"{API}{rep.pk}/", {"role": Role.MANAGER}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["role"] == Role.MANAGER
    with in_tenant(tenant_a):
        assert fresh(rep).role == Role.MANAGER


def test_patch_cannot_demote_the_last_admin(tenant_a, people_a, tenant_client):
    admin = people_a["admin"]
    response = tenant_client(tenant_a, admin).patch(f"{API}{admin.pk}/", {"role": Role.MANAGER},
                                                    content_type="application/json")
    assert response.status_code == 400
    assert "last active administrator" in str(response.json())


def test_deactivate_and_reactivate(tenant_a, in_tenant, people_a, tenant_client):
    client = tenant_client(tenant_a, people_a["admin"])
    rep2 = people_a["rep2"].pk
    off = client.post(f"{API}{rep2}/deactivate/")
    assert (off.status_code, off.json()["status"]) == (200, "deactivated")
    assert client.post(f"{API}{rep2}/deactivate/").status_code == 400  # already
    on = client.post(f"{API}{rep2}/reactivate/")
    assert (on.status_code, on.json()["status"]) == (200, "active")


@pytest.mark.parametrize("role", ["manager", "rep", "agent", "readonly"])
def test_non_admins_get_403_everywhere(tenant_a, people_a, tenant_client, role):
    client = tenant_client(tenant_a, people_a[role])
    rep2 = people_a["rep2"].pk
    assert client.get(API).status_code == 403
    assert client.get(f"{API}{rep2}/").status_code == 403
    assert client.post(API, {"email": "x@alpha.test", "role": "sales_rep"},
                       content_type="application/json").status_code == 403
    assert client.patch(f"{API}{rep2}/", {"role": "manager"},
                        content_type="application/json").status_code == 403
    assert client.post(f"{API}{rep2}/deactivate/").status_code == 403
    assert client.post(f"{API}{rep2}/reactivate/").status_code == 403


def test_anonymous_gets_401(tenant_a, tenant_client):
    assert tenant_client(tenant_a).get(API).status_code == 401


def test_portal_members_are_not_users_of_the_api(tenant_a, in_tenant, people_a, tenant_client):
    with in_tenant(tenant_a):
        member = User.objects.create_user(email="m@alpha.test", kind=UserKind.MEMBER)
    client = tenant_client(tenant_a, people_a["admin"])
    assert client.get(f"{API}{member.pk}/").status_code == 404
    assert member.pk not in {row["id"] for row in client.get(API).json()["results"]}
