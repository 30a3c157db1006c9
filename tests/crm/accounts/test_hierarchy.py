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
