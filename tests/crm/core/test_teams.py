"""Teams: several managers, members in several teams, archiving, the services' rules, team
visibility end to end (selector, /crm/ page, API), the role matrix of the pages and the API,
tenant isolation and the query budget of the lists."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.accounts.selectors import account_list
from crm.core.models import AuditEntry, Team
from crm.core.teams import team_archive, team_create, team_restore, team_update
from crm.core.visibility import managed_user_ids
from tenants.users.models import Role, User
from tests.crm.accounts.factories import make_account
from tests.crm.core.factories import make_region, make_team

API = "/api/v1/teams/"


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # the owner scope is memoised per user object


def _visible_names(viewer: User) -> set[str]:
    return set(account_list(viewer=_fresh(viewer)).values_list("name", flat=True))


def _page(client, path: str = "/crm/accounts/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _api_names(client) -> set[str]:
    response = client.get("/api/v1/accounts/?page_size=200")
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def _json(client, method: str, path: str, body: dict):
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


# --- visibility end to end ------------------------------------------------------------

def test_rep_added_to_a_team_sees_the_teammates_accounts_and_no_longer_once_removed(
    tenant_a, in_tenant, tenant_client
):
    users = tenant_a.users
    admin, rep, rep2 = users["admin"], users["rep"], users["rep2"]
    with in_tenant(tenant_a):
        make_account(owner=rep2, name="Teammate Deal Ltd")
        team = team_create(actor=admin, name="East", managers=[users["manager"]],
                           members=[rep2])
        assert "Teammate Deal Ltd" not in _visible_names(rep)
    client = tenant_client(tenant_a, rep)
    assert "Teammate Deal Ltd" not in _page(client)
    assert "Teammate Deal Ltd" not in _api_names(client)

    with in_tenant(tenant_a):
        team_update(team=team, actor=admin, members=[rep, rep2])
        assert "Teammate Deal Ltd" in _visible_names(rep)
    assert "Teammate Deal Ltd" in _page(client)
    assert "Teammate Deal Ltd" in _api_names(client)

    with in_tenant(tenant_a):
        team_update(team=team, actor=admin, members=[rep2])
        assert "Teammate Deal Ltd" not in _visible_names(rep)
    assert "Teammate Deal Ltd" not in _page(client)
    assert "Teammate Deal Ltd" not in _api_names(client)


def test_an_archived_team_no_longer_widens_visibility_until_restored(
    tenant_a, in_tenant, tenant_client
):
    users = tenant_a.users
    admin, rep, rep2, manager = users["admin"], users["rep"], users["rep2"], users["manager"]
    with in_tenant(tenant_a):
        make_account(owner=rep2, name="Archived Team Co")
        team = team_create(actor=admin, name="South", managers=[manager], members=[rep, rep2])
        assert "Archived Team Co" in _visible_names(rep)
        assert "Archived Team Co" in _visible_names(manager)
        team_archive(team=team, actor=admin)
        assert "Archived Team Co" not in _visible_names(rep)
        assert "Archived Team Co" not in _visible_names(manager)
    assert "Archived Team Co" not in _api_names(tenant_client(tenant_a, rep))
    with in_tenant(tenant_a):
        team_restore(team=team, actor=admin)
        assert "Archived Team Co" in _visible_names(rep)


def test_a_manager_of_two_teams_sees_both_teams_records(tenant_a, in_tenant, tenant_client):
    users = tenant_a.users
    admin, manager = users["admin"], users["manager"]
    with in_tenant(tenant_a):
        east_rep = User.objects.create_user(email="east@alpha.test", role=Role.SALES_REP)
        south_rep = User.objects.create_user(email="south@alpha.test", role=Role.SALES_REP)
        make_account(owner=east_rep, name="East Customer")
        make_account(owner=south_rep, name="South Customer")
        make_account(owner=users["rep2"], name="Nobody's Team Customer")
        team_create(actor=admin, name="East", managers=[manager], members=[east_rep])
        team_create(actor=admin, name="South", managers=[manager], members=[south_rep])
        visible = _visible_names(manager)
        assert {"East Customer", "South Customer"} <= visible
        assert "Nobody's Team Customer" not in visible
        assert managed_user_ids(_fresh(manager)) == frozenset({east_rep.pk, south_rep.pk})
    assert {"East Customer", "South Customer"} <= _api_names(tenant_client(tenant_a, manager))


def test_every_manager_of_a_team_sees_its_members_records(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        second_manager = User.objects.create_user(email="m2@alpha.test", role=Role.MANAGER)
        make_account(owner=users["rep"], name="Shared Management Ltd")
        team = team_create(actor=users["admin"], name="Key accounts",
                           managers=[users["manager"], second_manager], members=[users["rep"]])
        assert set(team.managers.all()) == {users["manager"], second_manager}
        assert "Shared Management Ltd" in _visible_names(users["manager"])
        assert "Shared Management Ltd" in _visible_names(second_manager)


def test_a_user_may_be_in_several_teams_and_sees_each_teams_records(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        north = User.objects.create_user(email="north@alpha.test", role=Role.SALES_REP)
        make_account(owner=north, name="North Only")
        make_account(owner=users["rep2"], name="Rep2 Only")
        team_create(actor=users["admin"], name="A", members=[users["rep"], north])
        team_create(actor=users["admin"], name="B", members=[users["rep"], users["rep2"]])
        assert {"North Only", "Rep2 Only"} <= _visible_names(users["rep"])
        assert "Rep2 Only" not in _visible_names(north)


def test_managed_user_ids_is_none_for_admins_and_empty_for_reps(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        make_team("East", managers=[users["manager"]], members=[users["rep"]])
        assert managed_user_ids(_fresh(users["admin"])) is None
        assert managed_user_ids(_fresh(users["rep"])) == frozenset()
        assert managed_user_ids(_fresh(users["manager"])) == frozenset({users["rep"].pk})


# --- services -------------------------------------------------------------------------

def test_team_changes_are_audited_with_the_lists(tenant_a, in_tenant):
    users = tenant_a.users
    admin = users["admin"]
    with in_tenant(tenant_a):
        team = team_create(actor=admin, name="East", managers=[users["manager"]],
                           members=[users["rep"]])
        team_update(team=team, actor=admin, name="East China", members=[users["rep2"]])
        team_archive(team=team, actor=admin)
        team_restore(team=team, actor=admin)
        entries = list(AuditEntry.objects.filter(object_id=team.pk,
                                                 action__startswith="team.")
                       .order_by("id"))
        assert [entry.action for entry in entries] == [
            "team.created", "team.updated", "team.archived", "team.restored"]
        assert entries[0].data["managers"] == [users["manager"].pk]
        assert entries[1].changes == {"name": ["East", "East China"],
                                      "members": [[users["rep"].pk], [users["rep2"].pk]]}
        assert all(entry.actor_id == admin.pk for entry in entries)


def test_only_admins_change_teams(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        team = make_team("East", managers=[users["manager"]])
        for role in ("manager", "rep", "readonly", "agent"):
            with pytest.raises(PermissionDenied):
                team_create(actor=users[role], name=f"By {role}")
            with pytest.raises(PermissionDenied):
                team_update(team=team, actor=users[role], members=[users[role]])
            with pytest.raises(PermissionDenied):
                team_archive(team=team, actor=users[role])


def test_team_names_are_unique_among_active_teams_only(tenant_a, in_tenant):
    admin = tenant_a.users["admin"]
    with in_tenant(tenant_a):
        first = team_create(actor=admin, name="East")
        with pytest.raises(ValidationError) as clash:
            team_create(actor=admin, name=" east ")
        assert "name" in clash.value.message_dict
        team_archive(team=first, actor=admin)
        second = team_create(actor=admin, name="East")  # an archived team frees its name
        with pytest.raises(ValidationError) as restore_clash:
            team_restore(team=first, actor=admin)
        assert "name" in restore_clash.value.message_dict
        assert Team.objects.active().get() == second


def test_lists_refuse_unknown_users_portal_members_and_reps_as_managers(tenant_a, in_tenant):
    users = tenant_a.users
    admin = users["admin"]
    with in_tenant(tenant_a):
        member = User.objects.create_user(email="portal@customer.test", kind="member")
        with pytest.raises(ValidationError) as unknown:
            team_create(actor=admin, name="X", members=[999999])
        assert "999999" in unknown.value.message_dict["members"][0]
        with pytest.raises(ValidationError) as portal:
            team_create(actor=admin, name="X", members=[member])
        assert "members" in portal.value.message_dict
        with pytest.raises(ValidationError) as rep_manager:
            team_create(actor=admin, name="X", managers=[users["rep"]])
        assert "managers" in rep_manager.value.message_dict
        assert not Team.objects.filter(name="X").exists()


def test_a_team_takes_an_active_region_from_the_list(tenant_a, in_tenant):
    admin = tenant_a.users["admin"]
    with in_tenant(tenant_a):
        east = make_region("East")
        closed = make_region("Closed", active=False)
        team = team_create(actor=admin, name="East team", region=east)
        assert team.region == east
        with pytest.raises(ValidationError) as inactive:
            team_update(team=team, actor=admin, region=closed)
        assert "region" in inactive.value.message_dict


# --- pages ----------------------------------------------------------------------------

def test_pages_role_matrix(tenant_a, in_tenant, tenant_client):
    users = tenant_a.users
    with in_tenant(tenant_a):
        managed = make_team("Managed", managers=[users["manager"]], members=[users["rep"]])
        other = make_team("Other", members=[users["rep2"]])
    paths = ["/crm/settings/teams/", "/crm/settings/teams/new/",
             f"/crm/settings/teams/{managed.pk}/", f"/crm/settings/teams/{other.pk}/"]
    expected = {
        "admin": [200, 200, 200, 200],
        "manager": [200, 403, 200, 404],
        "rep": [403, 403, 403, 403],
        "readonly": [403, 403, 403, 403],
        "agent": [403, 403, 403, 403],
    }
    for role, codes in expected.items():
        client = tenant_client(tenant_a, users[role])
        assert [client.get(path).status_code for path in paths] == codes, role
    manager_client = tenant_client(tenant_a, users["manager"])
    listing = _page(manager_client, "/crm/settings/teams/")
    assert "Managed" in listing
    assert "Other" not in listing
    assert "disabled" in _page(manager_client, f"/crm/settings/teams/{managed.pk}/")
    refused = manager_client.post(f"/crm/settings/teams/{managed.pk}/",
                                  {"name": "Renamed by manager"})
    assert refused.status_code == 403
    assert manager_client.post(f"/crm/settings/teams/{managed.pk}/archive/").status_code == 403
    with in_tenant(tenant_a):
        managed.refresh_from_db()
        assert managed.name == "Managed"
        assert not managed.archived


def test_admin_creates_edits_archives_and_restores_a_team_on_the_pages(
    tenant_a, in_tenant, tenant_client
):
    users = tenant_a.users
    client = tenant_client(tenant_a, users["admin"])
    created = client.post("/crm/settings/teams/new/", {
        "name": "Page team", "managers": [users["manager"].pk],
        "members": [users["rep"].pk, users["rep2"].pk]})
    assert created.status_code == 302
    with in_tenant(tenant_a):
        team = Team.objects.get(name="Page team")
        assert set(team.members.values_list("pk", flat=True)) == {users["rep"].pk,
                                                                   users["rep2"].pk}
    edited = client.post(f"/crm/settings/teams/{team.pk}/", {
        "name": "Page team", "managers": [users["manager"].pk], "members": [users["rep"].pk]})
    assert edited.status_code == 302
    duplicate = client.post("/crm/settings/teams/new/", {"name": "page TEAM"})
    assert duplicate.status_code == 200
    assert "already called" in duplicate.content.decode()
    assert client.post(f"/crm/settings/teams/{team.pk}/archive/").status_code == 302
    with in_tenant(tenant_a):
        team.refresh_from_db()
        assert list(team.members.values_list("pk", flat=True)) == [users["rep"].pk]
        assert team.archived
    assert "archived" in _page(client, "/crm/settings/teams/")
    assert client.post(f"/crm/settings/teams/{team.pk}/restore/").status_code == 302
    with in_tenant(tenant_a):
        team.refresh_from_db()
        assert not team.archived


def test_team_list_page_query_budget(tenant_a, in_tenant, tenant_client,
                                     django_assert_max_num_queries):
    users = tenant_a.users
    with in_tenant(tenant_a):
        for index in range(12):
            make_team(f"Team {index}", managers=[users["manager"]],
                      members=[users["rep"], users["rep2"]], region=f"Region {index}")
    client = tenant_client(tenant_a, users["admin"])
    with django_assert_max_num_queries(14):
        page = _page(client, "/crm/settings/teams/")
    assert page.count("Team ") >= 12


# --- API ------------------------------------------------------------------------------

def test_api_admin_creates_lists_and_patch_replaces_the_lists(tenant_a, in_tenant,
                                                              tenant_client):
    users = tenant_a.users
    client = tenant_client(tenant_a, users["admin"])
    created = _json(client, "post", API, {"name": "API East",
                                          "managers": [users["manager"].pk],
                                          "members": [users["rep"].pk, users["rep2"].pk]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert {key: body[key] for key in ("name", "managers", "members")} == {
        "name": "API East", "managers": [users["manager"].pk],
        "members": sorted([users["rep"].pk, users["rep2"].pk])}
    team_id = body["id"]
    patched = _json(client, "patch", f"{API}{team_id}/", {"members": [users["rep2"].pk]})
    assert patched.status_code == 200, patched.content
    assert patched.json()["members"] == [users["rep2"].pk]
    assert patched.json()["managers"] == [users["manager"].pk]  # not given: unchanged
    listed = client.get(API)
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [team_id]
    archived = client.post(f"{API}{team_id}/archive/")
    assert archived.status_code == 200
    assert archived.json()["archived"] is True
    assert client.delete(f"{API}{team_id}/").status_code == 405
    with in_tenant(tenant_a):
        assert Team.objects.filter(pk=team_id).exists()


def test_api_unknown_user_ids_answer_400_naming_the_field(tenant_a, tenant_client):
    users = tenant_a.users
    client = tenant_client(tenant_a, users["admin"])
    unknown_member = _json(client, "post", API, {"name": "Bad", "members": [987654]})
    assert unknown_member.status_code == 400
    assert "members" in unknown_member.json()
    unknown_manager = _json(client, "post", API, {"name": "Bad", "managers": [987654]})
    assert unknown_manager.status_code == 400
    assert "managers" in unknown_manager.json()
    garbage = _json(client, "post", API, {"name": "Bad", "members": ["abc"]})
    assert garbage.status_code == 400
    assert "members" in garbage.json()
    no_name = _json(client, "post", API, {"name": "  "})
    assert no_name.status_code == 400
    assert "name" in no_name.json()


def test_api_role_matrix(tenant_a, in_tenant, tenant_client):
    users = tenant_a.users
    with in_tenant(tenant_a):
        managed = make_team("Managed", managers=[users["manager"]], members=[users["rep"]])
        other = make_team("Other")
    manager = tenant_client(tenant_a, users["manager"])
    listed = manager.get(API)
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [managed.pk]
    assert manager.get(f"{API}{other.pk}/").status_code == 404
    assert _json(manager, "post", API, {"name": "Mine"}).status_code == 403
    assert _json(manager, "patch", f"{API}{managed.pk}/",
                 {"members": [users["manager"].pk]}).status_code == 403
    assert manager.post(f"{API}{managed.pk}/archive/").status_code == 403
    for role in ("rep", "readonly", "agent"):
        client = tenant_client(tenant_a, users[role])
        assert client.get(API).status_code == 403, role
        assert client.get(f"{API}{managed.pk}/").status_code == 403, role
        assert _json(client, "post", API, {"name": role}).status_code == 403, role
    with in_tenant(tenant_a):
        assert list(managed.members.all()) == [users["rep"]]


def test_another_tenants_team_ids_are_404(tenant_a, tenant_b, in_tenant, tenant_client):
    with in_tenant(tenant_b):
        theirs = make_team("Beta team", managers=[tenant_b.users["manager"]])
    with in_tenant(tenant_a):
        # Tenant A's only team gets another id by construction.
        mine = Team.objects.create(pk=theirs.pk + 1, name="Alpha team")
        mine.managers.add(tenant_a.users["manager"])
    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    assert admin.get(f"{API}{mine.pk}/").status_code == 200
    assert admin.get(f"{API}{theirs.pk}/").status_code == 404
    assert _json(admin, "patch", f"{API}{theirs.pk}/", {"name": "Taken"}).status_code == 404
    assert admin.post(f"{API}{theirs.pk}/archive/").status_code == 404
    assert admin.get(f"/crm/settings/teams/{theirs.pk}/").status_code == 404
    assert admin.post(f"/crm/settings/teams/{theirs.pk}/archive/").status_code == 404
    assert [row["id"] for row in admin.get(API).json()["results"]] == [mine.pk]
    with in_tenant(tenant_b):
        theirs.refresh_from_db()
        assert theirs.name == "Beta team"
        assert not theirs.archived


def test_api_team_list_query_budget(tenant_a, in_tenant, tenant_client,
                                    django_assert_max_num_queries):
    users = tenant_a.users
    with in_tenant(tenant_a):
        for index in range(15):
            make_team(f"Budget {index}", managers=[users["manager"]],
                      members=[users["rep"], users["rep2"]])
    client = tenant_client(tenant_a, users["admin"])
    with django_assert_max_num_queries(10):
        response = client.get(API)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 15
