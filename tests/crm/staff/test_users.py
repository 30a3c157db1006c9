"""The users page: list with role, status, teams and last login; managers see their teams'
users read-only; deactivation keeps data; the last administrator stays; role changes and
the admin-triggered password reset; every change audited."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.accounts.models import Account
from crm.core.models import AuditEntry
from crm.staff.selectors import staff_user_list
from crm.staff.services.invitations import invitation_create
from crm.staff.services.users import user_deactivate, user_role_change
from tenants.users.models import Role, User
from tests.crm.accounts.factories import make_account
from tests.crm.core.factories import make_team

from .conftest import fresh

USERS = "/crm/settings/users/"


def test_list_shows_role_status_teams_and_last_login(tenant_a, in_tenant, people_a,
                                                     tenant_client):
    with in_tenant(tenant_a):
        team = make_team("East", managers=[people_a["manager"]])
        team.members.add(people_a["rep"])
        User.objects.filter(pk=people_a["rep"].pk).update(last_login=timezone.now())
        invitation_create(email="pending@alpha.test", role=Role.SERVICE_AGENT,
                          actor=people_a["admin"])
        user_deactivate(user=people_a["rep2"], actor=people_a["admin"])

    response = tenant_client(tenant_a, people_a["admin"]).get(USERS)

    assert response.status_code == 200
    rows = {person.email: person for person in response.context["users"]}
    assert rows["rep@alpha.test"].status == "active"
    assert rows["pending@alpha.test"].status == "invited"
    assert rows["rep2@alpha.test"].status == "deactivated"
    assert [t.name for t in rows["rep@alpha.test"].teams.all()] == ["East"]
    page = response.content.decode()
    assert "East" in page
    assert "Invited" in page
    assert "Deactivated" in page
    assert "never" in page


def test_list_filters_by_status(tenant_a, in_tenant, people_a, tenant_client):
    with in_tenant(tenant_a):
        user_deactivate(user=people_a["rep2"], actor=people_a["admin"])
    response = tenant_client(tenant_a, people_a["admin"]).get(USERS, {"status": "deactivated"})
    assert [p.email for p in response.context["users"]] == ["rep2@alpha.test"]


def test_managers_see_only_their_teams_users_and_no_actions(tenant_a, in_tenant, people_a,
                                                            tenant_client):
    with in_tenant(tenant_a):
        team = make_team("East", managers=[people_a["manager"]])
        team.members.add(people_a["rep"])
    client = tenant_client(tenant_a, people_a["manager"])

    response = client.get(USERS)

    assert response.status_code == 200
    emails = {person.email for person in response.context["users"]}
    assert emails == {"manager@alpha.test", "rep@alpha.test"}
    assert response.context["invite_form"] is None
    assert client.get(f"{USERS}{people_a['rep'].pk}/").status_code == 200
    assert client.get(f"{USERS}{people_a['rep2'].pk}/").status_code == 404  # not their team
    assert client.post(f"{USERS}{people_a['rep'].pk}/deactivate/").status_code == 403


def test_deactivation_keeps_records_and_offers_the_transfer(tenant_a, in_tenant, people_a,
                                                            tenant_client):
    with in_tenant(tenant_a):
        account = make_account(name="Kept Ltd", owner=people_a["rep2"])
    client = tenant_client(tenant_a, people_a["admin"])
    rep2 = people_a["rep2"].pk

    response = client.post(f"{USERS}{rep2}/deactivate/")

    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert not User.objects.get(pk=rep2).is_active
        assert Account.objects.get(pk=account.pk).owner_id == rep2
        entry = AuditEntry.objects.get(action="user.deactivated", object_id=rep2)
        assert entry.actor_id == people_a["admin"].pk
    detail = client.get(f"{USERS}{rep2}/").content.decode()
    assert f"/crm/settings/transfer/?from={rep2}" in detail
    assert tenant_client(tenant_a, people_a["rep2"]).get("/crm/").status_code == 302  # signed out


def test_the_last_admin_can_neither_leave_nor_be_demoted(tenant_a, in_tenant, people_a,
                                                         tenant_client):
    admin = people_a["admin"]
    client = tenant_client(tenant_a, admin)

    deactivated = client.post(f"{USERS}{admin.pk}/deactivate/")
    demoted = client.post(f"{USERS}{admin.pk}/role/", {"role": Role.MANAGER})

    assert deactivated.status_code == 400
    assert "last active administrator" in deactivated.content.decode()
    assert demoted.status_code == 400
    with in_tenant(tenant_a):
        assert fresh(admin).is_active
        assert fresh(admin).role == Role.ADMIN


def test_with_a_second_admin_an_admin_may_step_down(tenant_a, in_tenant, people_a):
    with in_tenant(tenant_a):
        user_role_change(user=people_a["manager"], role=Role.ADMIN, actor=people_a["admin"])
        promoted = fresh(people_a["manager"])
        assert promoted.is_superuser
        assert promoted.is_staff
        user_role_change(user=people_a["admin"], role=Role.SALES_REP, actor=people_a["admin"])
        demoted = fresh(people_a["admin"])
        assert demoted.role == Role.SALES_REP
        assert not demoted.is_superuser
        with pytest.raises(ValidationError, match="last active administrator"):
            user_deactivate(user=promoted, actor=promoted)


def test_role_change_is_audited(tenant_a, in_tenant, people_a, tenant_client):
    rep = people_a["rep"]
    response = tenant_client(tenant_a, people_a["admin"]).post(f"{USERS}{rep.pk}/role/",
                                                               {"role": Role.MANAGER})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert fresh(rep).role == Role.MANAGER
        entry = AuditEntry.objects.get(action="user.role_changed", object_id=rep.pk)
        assert entry.changes == {"role": [Role.SALES_REP, Role.MANAGER]}


def test_bad_role_is_a_form_error(tenant_a, people_a, tenant_client):
    response = tenant_client(tenant_a, people_a["admin"]).post(
        f"{USERS}{people_a['rep'].pk}/role/", {"role": "emperor"})
    assert response.status_code == 400


def test_admin_sends_the_standard_password_reset_email(
        tenant_a, in_tenant, people_a, tenant_client, django_capture_on_commit_callbacks):
    rep = people_a["rep"]
    with django_capture_on_commit_callbacks(execute=True):
        response = tenant_client(tenant_a, people_a["admin"]).post(
            f"{USERS}{rep.pk}/password-reset/")
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["rep@alpha.test"]]
    assert "http://alpha.localhost/accounts/reset/" in mail.outbox[0].body
    with in_tenant(tenant_a):
        assert AuditEntry.objects.filter(action="user.password_reset_sent",
                                         object_id=rep.pk).exists()


def test_invite_from_the_page_is_audited(tenant_a, in_tenant, people_a, tenant_client,
                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = tenant_client(tenant_a, people_a["admin"]).post(
            f"{USERS}invite/", {"email": "page@alpha.test", "role": Role.MANAGER})
    assert response.status_code == 302
    assert mail.outbox[0].to == ["page@alpha.test"]
    with in_tenant(tenant_a):
        user = User.objects.get(email="page@alpha.test")
        assert (user.role, user.is_active) == (Role.MANAGER, False)
        entry = AuditEntry.objects.get(action="user.invited", object_id=user.pk)
        assert entry.actor_id == people_a["admin"].pk
        assert entry.data["role"] == Role.MANAGER


def test_selector_gives_managers_their_teams_and_others_nothing(tenant_a, in_tenant, people_a):
    with in_tenant(tenant_a):
        team = make_team("South", managers=[people_a["manager"]])
        team.members.add(people_a["rep2"])
        assert {u.email for u in staff_user_list(viewer=fresh(people_a["manager"]))} == {
            "manager@alpha.test", "rep2@alpha.test"}
        assert not staff_user_list(viewer=people_a["rep"]).exists()
        assert not staff_user_list(viewer=people_a["readonly"]).exists()
        assert staff_user_list(viewer=people_a["admin"]).count() == 7
