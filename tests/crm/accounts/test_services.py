import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.accounts.models import AccountTeamMember, NameAlias
from crm.accounts.services import (
    account_create,
    account_move,
    account_team_add,
    account_team_notify,
    account_team_remove,
    account_update,
    alias_create,
    alias_delete,
    contact_create,
    contact_update,
)
from crm.core.audit import history_for
from crm.core.models import Notification
from tests.crm.accounts.factories import make_account, make_contact
from tests.crm.core.factories import make_team


def test_create_defaults_owner_to_actor_and_puts_owner_on_team(tenant_a, in_tenant):
    rep = tenant_a.users["rep"]
    with in_tenant(tenant_a):
        account = account_create(actor=rep, name="  上海华为技术有限公司 ",
                                 phone="+86 21 5555 1234", website="https://www.huawei.example/cn")
        assert account.owner == rep
        assert account.name == "上海华为技术有限公司"
        assert account.name_normalized == "华为技术"
        assert account.phone_normalized == "2155551234"
        assert account.domain == "huawei.example"
        assert AccountTeamMember.objects.filter(account=account, user=rep, role="owner").exists()
        assert history_for(account).filter(action="create").count() == 1


def test_create_rejects_unknown_fields_and_blank_name(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        with pytest.raises(ValidationError) as error:
            account_create(actor=tenant_a.users["rep"], name="X", colour="red")
        assert "colour" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            account_create(actor=tenant_a.users["rep"], name="   ")
        assert "name" in error.value.message_dict


def test_read_only_user_cannot_create(tenant_a, in_tenant):
    with in_tenant(tenant_a), pytest.raises(PermissionDenied):
        account_create(actor=tenant_a.users["readonly"], name="Nope Ltd")


def test_rep_may_not_assign_an_account_to_someone_else_but_manager_may(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        with pytest.raises(ValidationError) as error:
            account_create(actor=users["rep"], name="Given Away", owner=users["rep2"])
        assert "owner" in error.value.message_dict
        make_team("Assigning team", managers=[users["manager"]]).members.add(
            users["rep2"])
        account = account_create(actor=users["manager"], name="Assigned", owner=users["rep2"])
        assert account.owner == users["rep2"]
        pooled = account_create(actor=users["rep"], name="Pooled", owner=None)
        assert pooled.owner is None


def test_update_records_field_history(tenant_a, in_tenant):
    rep = tenant_a.users["rep"]
    with in_tenant(tenant_a):
        account = make_account(owner=rep, name="Acme Ltd", region="North")
        account_update(account=account, actor=rep, region="South", tags=["vip", " vip ", "erp"])
        entry = history_for(account).filter(action="update").get()
        assert entry.actor == rep
        assert entry.changes["region"] == ["North", "South"]
        assert entry.changes["tags"] == [[], ["erp", "vip"]]
        # No change, no entry.
        account_update(account=account, actor=rep, region="South")
        assert history_for(account).filter(action="update").count() == 1


def test_external_id_is_unique_with_a_clear_error(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        make_account(name="One", external_id="ERP-1")
        with pytest.raises(ValidationError) as error:
            make_account(name="Two", external_id="ERP-1")
        assert "external_id" in error.value.message_dict


def test_move_rejects_cycles_with_a_clear_error(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        head = make_account(name="Head Office")
        branch = make_account(name="Branch", parent=head)
        sub = make_account(name="Sub-branch", parent=branch)
        with pytest.raises(ValidationError) as error:
            account_move(account=head, new_parent=sub, actor=None)
        assert "cycle" in error.value.message_dict["parent"][0]
        with pytest.raises(ValidationError):
            account_move(account=head, new_parent=head, actor=None)
        with pytest.raises(ValidationError):
            account_update(account=branch, actor=None, parent=sub)
        moved = account_move(account=sub, new_parent=head, actor=None)
        assert moved.parent == head
        assert history_for(sub).filter(action="move").get().changes["parent"] == [
            branch.pk, head.pk]
        root = account_move(account=branch, new_parent=None, actor=None)
        assert root.parent is None


def test_contact_reports_to_must_be_same_account_and_loop_free(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        account, other = make_account(), make_account()
        boss = make_contact(account=account, last_name="Boss")
        worker = make_contact(account=account, last_name="Worker", reports_to=boss)
        outsider = make_contact(account=other)
        with pytest.raises(ValidationError) as error:
            make_contact(account=account, reports_to=outsider)
        assert "reports_to" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            contact_update(contact=boss, actor=None, reports_to=worker)
        assert "loop" in error.value.message_dict["reports_to"][0]
        with pytest.raises(ValidationError):
            contact_create(actor=None, account=account, last_name="X", influence=9)


def test_contact_update_keeps_history(tenant_a, in_tenant):
    rep = tenant_a.users["rep"]
    with in_tenant(tenant_a):
        contact = make_contact(account=make_account(owner=rep), last_name="Li",
                               email=" LI@Example.COM ")
        assert contact.email == "li@example.com"
        contact_update(contact=contact, actor=rep, attitude="supporter", influence=5)
        entry = history_for(contact).filter(action="update").get()
        assert entry.changes["attitude"] == ["neutral", "supporter"]
        assert entry.changes["influence"] == [3, 5]


def test_team_add_notifies_the_new_member_and_remove_keeps_owner(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        account = make_account(owner=users["rep"])
        account_team_add(account=account, user=users["agent"], role="service",
                         actor=users["rep"])
        assert Notification.objects.filter(recipient=users["agent"],
                                           verb="account_team_added").count() == 1
        with pytest.raises(ValidationError):
            account_team_add(account=account, user=users["agent"], role="boss", actor=None)
        with pytest.raises(ValidationError):
            account_team_remove(account=account, user=users["rep"], actor=None)
        account_team_remove(account=account, user=users["agent"], actor=users["rep"])
        assert not account.team_members.filter(user=users["agent"]).exists()


def test_team_notify_reaches_team_and_owner_but_not_the_actor(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        account = make_account(owner=users["rep"])
        account_team_add(account=account, user=users["rep2"], role="support", actor=None)
        account_team_add(account=account, user=users["agent"], role="service", actor=None)
        sent = account_team_notify(account=account, actor=users["rep2"],
                                   message="Visit logged", url="/crm/x/")
        assert sorted(n.recipient_id for n in sent) == sorted([users["rep"].pk,
                                                               users["agent"].pk])
        assert all(n.url == "/crm/x/" and n.object_id == account.pk for n in sent)


def test_alias_create_rekeys_matching_accounts_and_delete_reverts(tenant_a, in_tenant):
    admin = tenant_a.users["admin"]
    with in_tenant(tenant_a):
        account = make_account(name="深圳平安")
        assert account.name_normalized == "平安"
        entry = alias_create(actor=admin, alias="平安", canonical="平安保险集团")
        account.refresh_from_db()
        assert account.name_normalized == "平安保险"
        with pytest.raises(ValidationError):
            alias_create(actor=admin, alias="平安", canonical="别的")
        with pytest.raises(PermissionDenied):
            alias_create(actor=tenant_a.users["rep"], alias="AB", canonical="Alpha Beta")
        alias_delete(actor=admin, alias=entry)
        account.refresh_from_db()
        assert account.name_normalized == "平安"


def test_provisioning_seeded_the_default_aliases(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        assert NameAlias.objects.filter(alias="工行", canonical="工商银行").exists()
        assert NameAlias.objects.filter(alias="IBM").exists()
