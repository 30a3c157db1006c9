from crm.accounts.selectors import (
    account_ancestor_ids,
    account_descendant_ids,
    account_tree,
    buying_committee,
)
from tests.crm.accounts.factories import make_account, make_contact


def test_tree_from_root_with_names_only_for_others_accounts(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        head = make_account(owner=users["rep2"], name="Head Office")
        east = make_account(owner=users["rep"], name="East Branch", parent=head)
        west = make_account(owner=users["rep2"], name="West Branch", parent=head)
        shop = make_account(owner=users["rep"], name="East Shop", parent=east)
        assert set(account_descendant_ids(account_id=head.pk)) == {head.pk, east.pk, west.pk,
                                                                   shop.pk}
        assert account_ancestor_ids(account_id=shop.pk) == [shop.pk, east.pk, head.pk]
        tree = account_tree(viewer=users["rep"], account=east).as_dict()
        assert tree["id"] == head.pk
        assert tree["visible"] is False
        assert tree["owner"] == ""
        names = [child["name"] for child in tree["children"]]
        assert names == ["East Branch", "West Branch"]
        east_node = tree["children"][0]
        assert east_node["is_current"]
        assert east_node["visible"]
        assert east_node["children"][0]["id"] == shop.pk


def test_buying_committee_is_an_org_chart_by_reports_to(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        account = make_account()
        ceo = make_contact(account=account, last_name="Chief", influence=5,
                           buying_role="decision_maker")
        cio = make_contact(account=account, last_name="Tech", reports_to=ceo)
        engineer = make_contact(account=account, last_name="Eng", reports_to=cio)
        loner = make_contact(account=account, last_name="Alone", influence=1)
        roots = buying_committee(account=account)
        assert [node.contact.pk for node in roots] == [ceo.pk, loner.pk]
        assert roots[0].reports[0].contact.pk == cio.pk
        assert roots[0].reports[0].reports[0].contact.pk == engineer.pk


def test_the_service_refuses_a_parent_the_actor_cannot_see(tenant_a, in_tenant):
    import pytest
    from django.core.exceptions import ValidationError

    from crm.accounts.services import account_create, account_move, account_update

    users = tenant_a.users
    with in_tenant(tenant_a):
        theirs = make_account(owner=users["rep2"], name="Their Head Office")
        mine = make_account(owner=users["rep"], name="My Branch")
        pool = make_account(owner=None, name="Pool Head Office")
        for attempt in (
            lambda: account_create(actor=users["rep"], name="New Branch", parent=theirs),
            lambda: account_update(account=mine, actor=users["rep"], parent=theirs),
            lambda: account_move(account=mine, new_parent=theirs, actor=users["rep"]),
        ):
            with pytest.raises(ValidationError) as error:
                attempt()
            assert "parent" in error.value.message_dict
        mine.refresh_from_db()
        assert mine.parent_id is None
        # A parent the actor may see (the shared pool) is fine; so is keeping a parent the
        # actor can no longer see (a full update repeats it), and system work (no actor).
        assert account_move(account=mine, new_parent=pool, actor=users["rep"]).parent == pool
        branch = account_create(actor=None, name="System Branch", parent=theirs,
                                owner=users["rep"])
        assert account_update(account=branch, actor=users["rep"], parent=theirs,
                              city="Suzhou").city == "Suzhou"


def test_the_api_answers_400_for_a_parent_the_caller_cannot_see(tenant_a, in_tenant,
                                                                tenant_client):
    users = tenant_a.users
    with in_tenant(tenant_a):
        theirs = make_account(owner=users["rep2"], name="Their API Head Office")
        mine = make_account(owner=users["rep"], name="My API Branch")
    client = tenant_client(tenant_a, users["rep"])
    created = client.post("/api/v1/accounts/", {"name": "API Branch", "parent": theirs.pk},
                          content_type="application/json")
    assert created.status_code == 400
    assert "parent" in created.json()
    changed = client.patch(f"/api/v1/accounts/{mine.pk}/", {"parent": theirs.pk},
                           content_type="application/json")
    assert changed.status_code == 400
    assert "parent" in changed.json()
    page = client.post(f"/crm/accounts/{mine.pk}/move/", {"parent": theirs.pk})
    assert page.status_code == 200
    assert "parent" in page.context["form"].errors
