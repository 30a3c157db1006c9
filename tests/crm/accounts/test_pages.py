# ruff: noqa: RUF001  (full-width CJK punctuation in company names is the point)
import pytest

from crm.accounts.models import Account, Contact, NameAlias
from crm.core.models import Notification
from tests.crm.accounts.factories import make_account, make_contact


@pytest.fixture
def owned(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        mine = make_account(owner=users["rep"], name="My Page Account")
        theirs = make_account(owner=users["rep2"], name="Their Page Account")
        contact = make_contact(account=theirs, last_name="Hidden")
        my_contact = make_contact(account=mine, last_name="Shown")
    return mine, theirs, contact, my_contact


def test_account_pages_render_for_own_records(tenant_a, tenant_client, owned):
    mine, _theirs, _contact, my_contact = owned
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    for url in (
        "/crm/accounts/", f"/crm/accounts/{mine.pk}/", f"/crm/accounts/{mine.pk}/edit/",
        f"/crm/accounts/{mine.pk}/move/", f"/crm/accounts/{mine.pk}/history/",
        f"/crm/accounts/{mine.pk}/committee/", f"/crm/accounts/{mine.pk}/merge/",
        "/crm/accounts/new/", "/crm/accounts/duplicates/", "/crm/contacts/",
        f"/crm/contacts/{my_contact.pk}/", f"/crm/contacts/{my_contact.pk}/edit/",
        f"/crm/contacts/new/?account={mine.pk}", "/crm/notifications/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get("/crm/accounts/").content.decode()
    assert "My Page Account" in page
    assert "Their Page Account" not in page


def test_another_reps_and_another_tenants_records_are_404(tenant_a, tenant_b, tenant_client,
                                                         in_tenant, owned):
    _mine, theirs, contact, _my_contact = owned
    with in_tenant(tenant_b):
        foreign = make_account(owner=None, name="Beta Page Account")
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    for url in (
        f"/crm/accounts/{theirs.pk}/", f"/crm/accounts/{theirs.pk}/edit/",
        f"/crm/accounts/{theirs.pk}/history/", f"/crm/accounts/{theirs.pk}/committee/",
        f"/crm/accounts/{theirs.pk}/merge/", f"/crm/contacts/{contact.pk}/",
        f"/crm/contacts/{contact.pk}/edit/", f"/crm/accounts/{foreign.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    assert admin.get(f"/crm/accounts/{foreign.pk}/").status_code == 404
    assert admin.get(f"/crm/accounts/{theirs.pk}/").status_code == 200


def test_read_only_user_sees_pages_but_cannot_write(tenant_a, tenant_client, owned):
    mine, *_ = owned
    client = tenant_client(tenant_a, tenant_a.users["readonly"])
    assert client.get(f"/crm/accounts/{mine.pk}/").status_code == 200
    assert client.get("/crm/accounts/new/").status_code == 403
    assert client.post("/crm/accounts/new/", {"name": "X"}).status_code == 403
    assert client.post(f"/crm/accounts/{mine.pk}/edit/", {"name": "X"}).status_code == 403


def test_agent_sees_every_account(tenant_a, tenant_client, owned):
    _mine, theirs, contact, _ = owned
    client = tenant_client(tenant_a, tenant_a.users["agent"])
    assert client.get(f"/crm/accounts/{theirs.pk}/").status_code == 200
    assert client.get(f"/crm/contacts/{contact.pk}/").status_code == 200


def test_create_form_creates_and_reports_errors(tenant_a, tenant_client, in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    response = client.post("/crm/accounts/new/", {"name": "", "type": "prospect",
                                                  "value_score": "0"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    response = client.post("/crm/accounts/new/", {
        "name": "Form Made Ltd", "type": "customer", "value_score": "10", "tags": "vip, erp",
        "owner": tenant_a.users["rep"].pk})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        account = Account.objects.get(name="Form Made Ltd")
        assert account.tags == ["erp", "vip"]
        assert account.owner == tenant_a.users["rep"]
    response = client.post("/crm/accounts/new/", {
        "name": "Given Away", "type": "customer", "value_score": "1",
        "owner": tenant_a.users["rep2"].pk})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_move_form_shows_the_cycle_error(tenant_a, tenant_client, in_tenant):
    with in_tenant(tenant_a):
        head = make_account(owner=tenant_a.users["rep"], name="Move Head")
        branch = make_account(owner=tenant_a.users["rep"], name="Move Branch", parent=head)
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    response = client.post(f"/crm/accounts/{head.pk}/move/", {"parent": branch.pk})
    assert response.status_code == 200
    assert "cycle" in response.content.decode()
    assert client.post(f"/crm/accounts/{branch.pk}/move/", {"parent": ""}).status_code == 302


def test_duplicate_check_partial_while_typing(tenant_a, tenant_client, in_tenant):
    with in_tenant(tenant_a):
        make_account(owner=tenant_a.users["rep2"], name="华为技术（上海）")
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    response = client.get("/crm/accounts/duplicates/check/", {"name": "上海华为技术有限公司"},
                          HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "华为技术（上海）" in body
    assert "Rep2" in body
    assert "/crm/accounts/" not in body  # not the rep's: no link
    empty = client.get("/crm/accounts/duplicates/check/", {"name": "Nothing Like It"})
    assert "Possible duplicates" not in empty.content.decode()


def test_merge_wizard_merges_with_chosen_values(tenant_a, tenant_client, in_tenant):
    with in_tenant(tenant_a):
        survivor = make_account(owner=tenant_a.users["rep"], name="Wizard Survivor", city="A")
        loser = make_account(owner=tenant_a.users["rep"], name="Wizard Loser", city="B")
        make_contact(account=loser, last_name="Follows")
    client = tenant_client(tenant_a, tenant_a.users["admin"])  # merging deletes: not a rep
    page = client.get(f"/crm/accounts/{survivor.pk}/merge/?others={loser.pk}")
    assert page.status_code == 200
    assert "Wizard Loser" in page.content.decode()
    response = client.post(f"/crm/accounts/{survivor.pk}/merge/", {
        "others": str(loser.pk), "confirm": "1", "name": survivor.pk, "city": loser.pk})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        survivor.refresh_from_db()
        assert survivor.city == "B"
        assert survivor.name == "Wizard Survivor"
        assert not Account.objects.filter(pk=loser.pk).exists()
        assert Contact.objects.get(last_name="Follows").account_id == survivor.pk


def test_team_member_added_from_the_page_is_notified(tenant_a, tenant_client, in_tenant, owned):
    mine, *_ = owned
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    response = client.post(f"/crm/accounts/{mine.pk}/team/",
                           {"user": tenant_a.users["agent"].pk, "role": "service"})
    assert response.status_code == 302
    agent_client = tenant_client(tenant_a, tenant_a.users["agent"])
    page = agent_client.get("/crm/notifications/")
    assert "My Page Account" in page.content.decode()
    with in_tenant(tenant_a):
        notification = Notification.objects.get(recipient=tenant_a.users["agent"])
    # Someone else cannot mark it read.
    client.post("/crm/notifications/read/", {"id": notification.pk})
    with in_tenant(tenant_a):
        notification.refresh_from_db()
        assert notification.read_at is None
    agent_client.post("/crm/notifications/read/", {"id": notification.pk})
    with in_tenant(tenant_a):
        notification.refresh_from_db()
        assert notification.read_at is not None


def test_alias_page_needs_manage_settings(tenant_a, tenant_client, in_tenant):
    assert tenant_client(tenant_a, tenant_a.users["rep"]).get(
        "/crm/accounts/aliases/").status_code == 403
    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    page = admin.get("/crm/accounts/aliases/")
    assert page.status_code == 200
    assert "工行" in page.content.decode()
    response = admin.post("/crm/accounts/aliases/", {"form": "alias", "alias": "MS",
                                                     "canonical": "Microsoft"})
    assert response.status_code == 302
    response = admin.post("/crm/accounts/aliases/", {"form": "alias", "alias": "",
                                                     "canonical": ""})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    response = admin.post("/crm/accounts/aliases/", {"form": "settings",
                                                     "duplicate_threshold": "0.5"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert NameAlias.objects.filter(alias="MS").exists()


def test_list_pages_have_a_query_budget(tenant_a, tenant_client, in_tenant,
                                        django_assert_max_num_queries):
    users = tenant_a.users
    with in_tenant(tenant_a):
        for index in range(30):
            account = make_account(owner=users["rep"], name=f"Budget Page {index}",
                                   tags=["vip"])
            make_contact(account=account, covered_by=users["rep"])
    client = tenant_client(tenant_a, users["rep"])
    client.get("/crm/accounts/")
    with django_assert_max_num_queries(15):
        assert client.get("/crm/accounts/?type=prospect&sort=-updated_at").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/crm/contacts/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/crm/accounts/duplicates/").status_code == 200


def test_a_huge_page_number_is_an_empty_page_not_a_500(tenant_a, tenant_client, owned):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    response = client.get("/crm/accounts/?page=99999999999999999999")
    assert response.status_code == 200
    assert "My Page Account" not in response.content.decode()
    assert client.get("/crm/accounts/?page=1").status_code == 200
    assert "My Page Account" in client.get("/crm/accounts/?page=-5").content.decode()
