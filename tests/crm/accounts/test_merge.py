import pytest
from django.core.exceptions import ValidationError

from crm.accounts.models import Account, AccountTeamMember, Contact
from crm.accounts.selectors import account_tree
from crm.accounts.services import account_merge, account_team_add, account_team_notify
from crm.core.audit import history_for
from crm.core.models import AuditEntry, Notification
from tests.crm.accounts.factories import make_account, make_contact


def test_merge_moves_related_rows_records_audit_and_deletes_losers(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        survivor = make_account(owner=users["rep"], name="中国工商银行", region="North")
        loser = make_account(owner=users["rep2"], name="北京工行", region="Beijing",
                             phone="010 1234 5678", external_id="ERP-9")
        branch = make_account(name="工行海淀支行", parent=loser)
        contact = make_contact(account=loser, last_name="Wang")
        account_team_add(account=loser, user=users["agent"], role="service", actor=None)
        account_team_add(account=loser, user=users["rep"], role="support", actor=None)
        account_team_notify(account=loser, actor=None, message="hello")

        merged = account_merge(
            survivor=survivor, others=[loser], actor=users["admin"],
            field_choices={"region": loser.pk, "phone": loser.pk, "external_id": loser.pk},
        )

        assert not Account.objects.filter(pk=loser.pk).exists()
        assert merged.region == "Beijing"
        assert merged.phone_normalized == "1012345678"
        assert merged.external_id == "ERP-9"
        assert merged.name == "中国工商银行"  # not chosen: survivor keeps its value
        assert Contact.objects.get(pk=contact.pk).account_id == survivor.pk
        assert Account.objects.get(pk=branch.pk).parent_id == survivor.pk
        team = dict(AccountTeamMember.objects.filter(account=survivor)
                    .values_list("user_id", "role"))
        assert team == {users["rep"].pk: "owner", users["agent"].pk: "service",
                        users["rep2"].pk: "support"}
        assert Notification.objects.filter(object_id=loser.pk).count() == 0

        entry = history_for(survivor).filter(action="merge").get()
        assert entry.actor == users["admin"]
        [old] = entry.data["merged"]
        assert old["id"] == loser.pk
        assert old["name"] == "北京工行"
        assert old["contacts"][0]["last_name"] == "Wang"
        assert entry.changes["region"] == ["North", "Beijing"]
        assert entry.data["moved"]["crm_accounts.Contact.account"] == 1
        # The loser's own history now belongs to the survivor.
        assert AuditEntry.objects.filter(object_id=loser.pk, action="create").count() == 0


def test_merge_walks_every_reverse_relation(tenant_a, in_tenant):
    """Models of other apps pointing at Account move too (their relations are discovered)."""
    from crm.accounts.services import _reverse_relations

    names = {(rel.related_model._meta.label, rel.field.name) for rel in _reverse_relations()}
    assert ("crm_accounts.Contact", "account") in names
    assert ("crm_accounts.AccountTeamMember", "account") in names
    assert ("crm_accounts.Account", "parent") in names


def test_merging_a_head_office_into_its_branch_keeps_the_tree_acyclic(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        top = make_account(name="Group Top")
        head = make_account(name="Head", parent=top)
        middle = make_account(name="Middle", parent=head)
        branch = make_account(name="Branch", parent=middle)
        merged = account_merge(survivor=branch, others=[head], actor=None)
        assert merged.parent_id == top.pk
        assert Account.objects.get(pk=middle.pk).parent_id == branch.pk
        tree = account_tree(viewer=_admin(tenant_a), account=merged)
        assert tree.id == top.pk


def _admin(tenant):
    return tenant.users["admin"]


def test_merge_rejects_bad_input(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        survivor, other = make_account(), make_account()
        with pytest.raises(ValidationError):
            account_merge(survivor=survivor, others=[], actor=None)
        with pytest.raises(ValidationError):
            account_merge(survivor=survivor, others=[survivor], actor=None)
        with pytest.raises(ValidationError):
            account_merge(survivor=survivor, others=[other], field_choices={"name": 999999},
                          actor=None)
        with pytest.raises(ValidationError):
            account_merge(survivor=survivor, others=[other], field_choices={"id": other.pk},
                          actor=None)
        assert Account.objects.filter(pk=other.pk).exists()
