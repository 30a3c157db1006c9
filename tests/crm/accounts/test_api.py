import pytest

from crm.accounts.models import Account
from crm.core.models import AuditEntry
from tests.crm.accounts.factories import make_account, make_contact
from tests.crm.core.factories import make_team

API = "/api/v1"


@pytest.fixture
def records(tenant_a, in_tenant):
    """One account per owner situation, and a team: manager manages rep."""
    users = tenant_a.users
    with in_tenant(tenant_a):
        team = make_team("East", managers=[users["manager"]])
        team.members.add(users["rep"])
        accounts = {
            "rep": make_account(owner=users["rep"], name="Rep Owned Ltd"),
            "rep2": make_account(owner=users["rep2"], name="Rep2 Owned Ltd"),
            "pool": make_account(owner=None, name="Pool Account Ltd"),
            "admin": make_account(owner=users["admin"], name="Admin Owned Ltd"),
        }
        contacts = {key: make_contact(account=account, last_name=f"Contact {key}")
                    for key, account in accounts.items()}
    return accounts, contacts


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("rep", {"rep", "pool"}),
        ("rep2", {"rep2", "pool"}),
        ("manager", {"rep", "pool"}),
        ("admin", {"rep", "rep2", "pool", "admin"}),
        ("readonly", {"rep", "rep2", "pool", "admin"}),
        ("agent", {"rep", "rep2", "pool", "admin"}),
    ],
)
def test_visibility_matrix_for_accounts_and_contacts(tenant_a, tenant_client, records, role,
                                                     visible):
    accounts, contacts = records
    client = tenant_client(tenant_a, tenant_a.users[role])
    assert _ids(client.get(f"{API}/accounts/")) == {accounts[k].pk for k in visible}
    assert _ids(client.get(f"{API}/contacts/")) == {contacts[k].pk for k in visible}
    for key, account in accounts.items():
        expected = 200 if key in visible else 404
        assert client.get(f"{API}/accounts/{account.pk}/").status_code == expected
        assert client.get(f"{API}/contacts/{contacts[key].pk}/").status_code == expected


def test_account_team_members_see_the_account(tenant_a, tenant_client, in_tenant, records):
    from crm.accounts.services import account_team_add

    accounts, _contacts = records
    with in_tenant(tenant_a):
        account_team_add(account=accounts["rep2"], user=tenant_a.users["rep"], role="support",
                         actor=None)
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    assert client.get(f"{API}/accounts/{accounts['rep2'].pk}/").status_code == 200


def test_another_tenants_account_is_404(tenant_a, tenant_b, tenant_client, in_tenant):
    with in_tenant(tenant_b):
        foreign = make_account(owner=None, name="Beta Only")
        foreign_contact = make_contact(account=foreign)
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    assert client.get(f"{API}/accounts/{foreign.pk}/").status_code in {404}
    assert client.get(f"{API}/contacts/{foreign_contact.pk}/").status_code == 404
    assert client.get(f"{API}/accounts/{foreign.pk}/tree/").status_code == 404
    names = [row["name"] for row in client.get(f"{API}/duplicates/check/?name=Beta Only").json()]
    assert "Beta Only" not in names


def test_create_with_name_only(tenant_a, tenant_client, in_tenant):
    rep = tenant_a.users["rep"]
    response = tenant_client(tenant_a, rep).post(f"{API}/accounts/", {"name": "新客户有限公司"},
                                                 content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "新客户有限公司"
    assert body["owner"] == rep.pk
    with in_tenant(tenant_a):
        assert Account.objects.get(pk=body["id"]).name_normalized == "新客户"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "X", "type": "alien"}, "type"),
        ({"name": "X", "value_score": 500}, "value_score"),
        ({"name": "X", "parent": 99999999}, "parent"),
        ({"name": "X", "tags": "not-a-list"}, "tags"),
    ],
)
def test_bad_input_answers_400_with_field_errors(tenant_a, tenant_client, payload, field):
    response = tenant_client(tenant_a, tenant_a.users["rep"]).post(
        f"{API}/accounts/", payload, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()


def test_service_rules_answer_400_too(tenant_a, tenant_client, in_tenant):
    users = tenant_a.users
    client = tenant_client(tenant_a, users["rep"])
    response = client.post(f"{API}/accounts/", {"name": "X", "owner": users["rep2"].pk},
                           content_type="application/json")
    assert response.status_code == 400
    assert "owner" in response.json()
    with in_tenant(tenant_a):
        head = make_account(owner=users["rep"], name="Head")
        branch = make_account(owner=users["rep"], name="Branch", parent=head)
    response = client.patch(f"{API}/accounts/{head.pk}/", {"parent": branch.pk},
                            content_type="application/json")
    assert response.status_code == 400
    assert "parent" in response.json()
    response = client.post(f"{API}/contacts/", {"account": head.pk, "last_name": "L",
                                                "influence": 7},
                           content_type="application/json")
    assert response.status_code == 400
    assert "influence" in response.json()


def test_read_only_user_cannot_write(tenant_a, tenant_client, records):
    accounts, _contacts = records
    client = tenant_client(tenant_a, tenant_a.users["readonly"])
    assert client.post(f"{API}/accounts/", {"name": "X"},
                       content_type="application/json").status_code == 403
    assert client.patch(f"{API}/accounts/{accounts['rep'].pk}/", {"name": "Y"},
                        content_type="application/json").status_code == 403
    assert client.put(f"{API}/accounts/external/E-1/", {"name": "Z"},
                      content_type="application/json").status_code == 403


def test_rep_cannot_change_another_reps_account(tenant_a, tenant_client, records):
    accounts, _contacts = records
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    assert client.patch(f"{API}/accounts/{accounts['rep2'].pk}/", {"name": "Mine now"},
                        content_type="application/json").status_code == 404


def test_upsert_by_external_id_is_idempotent(tenant_a, tenant_client, in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    payload = {"name": "ERP Customer GmbH", "region": "North"}
    first = client.put(f"{API}/accounts/external/SAP-0042/", payload,
                       content_type="application/json")
    assert first.status_code == 201, first.content
    second = client.put(f"{API}/accounts/external/SAP-0042/", payload,
                        content_type="application/json")
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    changed = client.put(f"{API}/accounts/external/SAP-0042/", {"region": "South"},
                         content_type="application/json")
    assert changed.json()["region"] == "South"
    assert changed.json()["name"] == "ERP Customer GmbH"
    with in_tenant(tenant_a):
        assert Account.objects.filter(external_id="SAP-0042").count() == 1
        account = Account.objects.get(external_id="SAP-0042")
        assert AuditEntry.objects.filter(object_id=account.pk, action="update").count() == 1
    bad = client.put(f"{API}/accounts/external/SAP-0043/", {"region": "South"},
                     content_type="application/json")
    assert bad.status_code == 400
    assert "name" in bad.json()


def test_upsert_of_anothers_account_is_404(tenant_a, tenant_client, in_tenant):
    with in_tenant(tenant_a):
        make_account(owner=tenant_a.users["rep2"], name="Theirs", external_id="SAP-7")
    response = tenant_client(tenant_a, tenant_a.users["rep"]).put(
        f"{API}/accounts/external/SAP-7/", {"name": "Hijack"}, content_type="application/json")
    assert response.status_code == 404


def test_filters_search_and_ordering(tenant_a, tenant_client, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        head = make_account(owner=users["rep"], name="Alpha Head", type="customer",
                            region="East", tier="key", tags=["vip"])
        make_account(owner=users["rep"], name="Beta Branch", parent=head, region="West")
        make_account(owner=None, name="Gamma Pool", type="partner")
    client = tenant_client(tenant_a, users["rep"])

    def names(query: str) -> list[str]:
        response = client.get(f"{API}/accounts/?{query}")
        assert response.status_code == 200, response.content
        return [row["name"] for row in response.json()["results"]]

    assert names("type=customer") == ["Alpha Head"]
    assert names("region=west") == ["Beta Branch"]
    assert names("tier=key") == ["Alpha Head"]
    assert names("tag=vip") == ["Alpha Head"]
    assert names(f"parent={head.pk}") == ["Beta Branch"]
    assert names(f"owner={users['rep'].pk}&ordering=name") == ["Alpha Head", "Beta Branch"]
    assert names("in_pool=true") == ["Gamma Pool"]
    assert names("search=gamma") == ["Gamma Pool"]
    assert names("ordering=-name") == ["Gamma Pool", "Beta Branch", "Alpha Head"]
    assert names("updated_after=2000-01-01T00:00:00Z&ordering=name")[0] == "Alpha Head"
    assert names("updated_before=2000-01-01T00:00:00Z") == []
    assert client.get(f"{API}/accounts/?type=alien").status_code == 400


def test_cursor_pagination(tenant_a, tenant_client, in_tenant):
    with in_tenant(tenant_a):
        for index in range(5):
            make_account(owner=tenant_a.users["rep"], name=f"Paged {index}")
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    first = client.get(f"{API}/accounts/?page_size=3").json()
    assert len(first["results"]) == 3
    assert first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_list_endpoints_have_a_query_budget(tenant_a, tenant_client, in_tenant,
                                            django_assert_max_num_queries):
    users = tenant_a.users
    with in_tenant(tenant_a):
        team = make_team("Budget", managers=[users["manager"]])
        team.members.add(users["rep"])
        head = make_account(owner=users["rep"], name="Budget Head")
        for index in range(30):
            account = make_account(owner=users["rep"], name=f"Budget {index}", parent=head)
            make_contact(account=account, covered_by=users["rep"])
    for role in ("rep", "manager", "admin"):
        client = tenant_client(tenant_a, users[role])
        client.get(f"{API}/accounts/")  # warm-up: session, content types
        with django_assert_max_num_queries(10):
            assert client.get(f"{API}/accounts/").status_code == 200
        with django_assert_max_num_queries(10):
            assert client.get(f"{API}/contacts/").status_code == 200


def test_tree_history_and_team_endpoints(tenant_a, tenant_client, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        head = make_account(owner=users["rep"], name="Tree Head")
        branch = make_account(owner=users["rep"], name="Tree Branch", parent=head)
    client = tenant_client(tenant_a, users["rep"])
    tree = client.get(f"{API}/accounts/{branch.pk}/tree/").json()
    assert tree["id"] == head.pk
    assert tree["children"][0]["id"] == branch.pk
    client.patch(f"{API}/accounts/{branch.pk}/", {"industry": "Banking"},
                 content_type="application/json")
    history = client.get(f"{API}/accounts/{branch.pk}/history/").json()
    assert history[0]["action"] == "update"
    assert history[0]["changes"]["industry"] == ["", "Banking"]
    team = client.post(f"{API}/accounts/{branch.pk}/team/",
                       {"user": users["agent"].pk, "role": "service"},
                       content_type="application/json")
    assert team.status_code == 200
    assert {m["user"] for m in team.json()} == {users["rep"].pk, users["agent"].pk}
    bad = client.post(f"{API}/accounts/{branch.pk}/team/", {"user": users["agent"].pk,
                                                            "role": "boss"},
                      content_type="application/json")
    assert bad.status_code == 400
    assert "role" in bad.json()
    removed = client.post(f"{API}/accounts/{branch.pk}/team/remove/",
                          {"user": users["agent"].pk}, content_type="application/json")
    assert removed.status_code == 204


def test_merge_endpoint(tenant_a, tenant_client, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        survivor = make_account(owner=users["rep"], name="Merge Survivor")
        loser = make_account(owner=users["rep"], name="Merge Loser", city="Paris")
        theirs = make_account(owner=users["rep2"], name="Not Yours")
        make_contact(account=loser, last_name="Moved")
        # Merging deletes: a manager may do it for the teams they manage (not a rep).
        make_team("Merge team", managers=[users["manager"]]).members.add(
            users["rep"])
    client = tenant_client(tenant_a, users["manager"])
    assert client.post(f"{API}/accounts/{survivor.pk}/merge/", {"others": [theirs.pk]},
                       content_type="application/json").status_code == 404
    assert client.post(f"{API}/accounts/{survivor.pk}/merge/", {"others": []},
                       content_type="application/json").status_code == 400
    response = client.post(f"{API}/accounts/{survivor.pk}/merge/",
                           {"others": [loser.pk], "field_choices": {"city": loser.pk}},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["city"] == "Paris"
    assert client.get(f"{API}/accounts/{loser.pk}/").status_code == 404
    contacts = client.get(f"{API}/contacts/?account={survivor.pk}").json()["results"]
    assert [c["last_name"] for c in contacts] == ["Moved"]


def test_duplicate_check_endpoint(tenant_a, tenant_client, in_tenant,
                                  django_assert_max_num_queries):
    with in_tenant(tenant_a):
        icbc = make_account(owner=tenant_a.users["rep2"], name="中国工商银行北京分行")
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    client.get(f"{API}/duplicates/check/?name=warmup")
    with django_assert_max_num_queries(12):
        response = client.get(f"{API}/duplicates/check/", {"name": "北京工行"})
    assert response.status_code == 200
    [candidate] = [row for row in response.json() if row["id"] == icbc.pk]
    assert candidate["name"] == "中国工商银行北京分行"
    assert candidate["score"] >= 0.95
    assert candidate["visible"] is False
    assert set(candidate) == {"id", "name", "score", "owner", "reasons", "visible"}
    missing = client.get(f"{API}/duplicates/check/")
    assert missing.status_code == 400
    assert "name" in missing.json()
    assert client.get(f"{API}/duplicates/check/?name=x&limit=999").status_code == 400


def test_openapi_schema_lists_the_endpoints(tenant_a, tenant_client):
    response = tenant_client(tenant_a, tenant_a.users["admin"]).get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/accounts/", "/accounts/external/{external_id}/", "/accounts/{id}/tree/",
                 "/accounts/{id}/history/", "/accounts/{id}/merge/", "/contacts/",
                 "/duplicates/check/"):
        assert path in text, path


def test_contact_upsert_by_external_id_is_idempotent(tenant_a, tenant_client, in_tenant):
    from crm.accounts.models import Contact

    rep = tenant_a.users["rep"]
    with in_tenant(tenant_a):
        account = make_account(owner=rep, name="Upsert Contacts Ltd")
    client = tenant_client(tenant_a, rep)
    payload = {"account": account.pk, "last_name": "Zhang", "first_name": "Wei",
               "email": "wei@upsert.example"}
    first = client.put(f"{API}/contacts/external/CRM-C-1/", payload,
                       content_type="application/json")
    assert first.status_code == 201, first.content
    assert first.json()["external_id"] == "CRM-C-1"
    second = client.put(f"{API}/contacts/external/CRM-C-1/", payload,
                        content_type="application/json")
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    changed = client.put(f"{API}/contacts/external/CRM-C-1/", {"title": "CTO"},
                         content_type="application/json")
    assert changed.status_code == 200
    assert changed.json()["title"] == "CTO"
    assert changed.json()["last_name"] == "Zhang"
    with in_tenant(tenant_a):
        assert Contact.objects.filter(external_id="CRM-C-1").count() == 1
        history = AuditEntry.objects.filter(content_type__model="contact", action="update",
                                            object_id=first.json()["id"])
        assert history.count() == 1  # the replay changed nothing
    missing_name = client.put(f"{API}/contacts/external/CRM-C-2/", {"account": account.pk},
                              content_type="application/json")
    assert missing_name.status_code == 400


def test_contact_upsert_cannot_reach_a_contact_one_may_not_see(tenant_a, tenant_client,
                                                               in_tenant):
    from crm.accounts.models import Contact

    with in_tenant(tenant_a):
        theirs = make_account(owner=tenant_a.users["rep2"], name="Theirs Contacts Ltd")
        make_contact(account=theirs, last_name="Hidden", external_id="CRM-C-9")
    response = tenant_client(tenant_a, tenant_a.users["rep"]).put(
        f"{API}/contacts/external/CRM-C-9/", {"last_name": "Hijack"},
        content_type="application/json")
    assert response.status_code == 404
    with in_tenant(tenant_a):
        assert Contact.objects.get(external_id="CRM-C-9").last_name == "Hidden"


def test_contact_external_ids_are_separate_per_tenant(tenant_a, tenant_b, tenant_client,
                                                      in_tenant):
    with in_tenant(tenant_a):
        make_contact(account=make_account(name="A Ltd"), last_name="A", external_id="X-1")
    with in_tenant(tenant_b):
        account_b = make_account(name="B Ltd", owner=tenant_b.users["admin"])
    response = tenant_client(tenant_b, tenant_b.users["admin"]).put(
        f"{API}/contacts/external/X-1/", {"account": account_b.pk, "last_name": "B"},
        content_type="application/json")
    assert response.status_code == 201
    assert response.json()["account"] == account_b.pk
