"""Ownership transfer: all or selected records, one transaction, audited, both notified."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from crm.accounts.models import Account
from crm.activities.models import Activity, ActivityKind
from crm.activities.services import activity_create
from crm.core.models import AuditEntry, Notification
from crm.leads.models import Lead
from crm.leads.services import lead_create
from crm.pool.models import OwnershipChange
from crm.pool.transfer import ownership_transfer
from crm.sales.models import Opportunity
from crm.sales.services import opportunity_create
from tests.crm.accounts.factories import make_account


@pytest.fixture
def book(tenant_a, in_tenant, people_a):
    """What rep holds: two accounts, an open and a closed deal, a lead, open and done tasks."""
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        first, second = make_account(owner=rep, name="First"), make_account(owner=rep,
                                                                             name="Second")
        open_deal = opportunity_create(account=first, name="Open", amount=10, currency=None,
                                       close_date=date.today(), owner=rep, actor=rep)
        closed_deal = opportunity_create(account=first, name="Closed", amount=10, currency=None,
                                         close_date=date.today(), owner=rep, actor=rep)
        Opportunity.objects.filter(pk=closed_deal.pk).update(closed_at=timezone.now())
        lead = lead_create(actor=rep, company="Lead Co", last_name="Buyer",
                           email="buyer@lead.example", source="manual", owner=rep)
        due = timezone.now() + timedelta(days=1)
        open_task = activity_create(actor=rep, kind=ActivityKind.TASK, subject="Open",
                                    due_at=due, target=first)
        done_task = activity_create(actor=rep, kind=ActivityKind.TASK, subject="Done",
                                    due_at=due, done=True)
        return {"accounts": [first, second], "open_deal": open_deal, "closed_deal": closed_deal,
                "lead": lead, "open_task": open_task, "done_task": done_task}


def test_transfer_everything_moves_open_work_audits_and_notifies(tenant_a, in_tenant, people_a,
                                                                 book, managed_team):
    rep, rep2, manager = people_a["rep"], people_a["rep2"], people_a["manager"]
    with in_tenant(tenant_a):
        result = ownership_transfer(from_user=rep, to_user=rep2, actor=manager,
                                    reason="Rep leaves")
        assert result.counts() == {"accounts": 2, "opportunities": 1, "leads": 1, "tasks": 1}
        assert set(Account.objects.filter(owner=rep2).values_list("pk", flat=True)) == {
            a.pk for a in book["accounts"]}
        assert Opportunity.objects.get(pk=book["open_deal"].pk).owner_id == rep2.pk
        assert Opportunity.objects.get(pk=book["closed_deal"].pk).owner_id == rep.pk
        assert Lead.objects.get(pk=book["lead"].pk).owner_id == rep2.pk
        assert Activity.objects.get(pk=book["open_task"].pk).owner_id == rep2.pk
        assert Activity.objects.get(pk=book["done_task"].pk).owner_id == rep.pk
        assert OwnershipChange.objects.filter(kind="transfer", to_user=rep2).count() == 2
        assert AuditEntry.objects.filter(action="transfer", object_id=book["lead"].pk).exists()
        assert AuditEntry.objects.filter(action="ownership_transfer", object_id=rep.pk).exists()
        for person in (rep, rep2):
            assert Notification.objects.filter(recipient=person,
                                               verb="ownership_transfer").count() == 1


def test_transfer_selected_accounts_only(tenant_a, in_tenant, people_a, book):
    rep, rep2 = people_a["rep"], people_a["rep2"]
    with in_tenant(tenant_a):
        first, second = book["accounts"]
        result = ownership_transfer(from_user=rep, to_user=rep2, actor=people_a["admin"],
                                    account_ids=[second.pk], opportunity_ids=[], lead_ids=[],
                                    task_ids=[])
        assert result.counts() == {"accounts": 1, "opportunities": 0, "leads": 0, "tasks": 0}
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.owner_id, second.owner_id) == (rep.pk, rep2.pk)


def test_transfer_is_all_or_nothing(tenant_a, in_tenant, people_a, book, managed_team):
    rep, rep2 = people_a["rep"], people_a["rep2"]
    with in_tenant(tenant_a):
        not_theirs = make_account(owner=rep2)
        with pytest.raises(ValidationError) as error:
            ownership_transfer(from_user=rep, to_user=rep2, actor=people_a["manager"],
                               account_ids=[book["accounts"][0].pk, not_theirs.pk])
        assert "accounts" in error.value.message_dict
        assert Account.objects.filter(owner=rep).count() == 2
        assert Lead.objects.get(pk=book["lead"].pk).owner_id == rep.pk
        assert not OwnershipChange.objects.filter(kind="transfer").exists()


def test_transfer_needs_the_right_and_a_sales_recipient(tenant_a, in_tenant, people_a, book):
    rep, rep2 = people_a["rep"], people_a["rep2"]
    with in_tenant(tenant_a):
        with pytest.raises(PermissionDenied):
            ownership_transfer(from_user=rep, to_user=rep2, actor=rep2)
        with pytest.raises(ValidationError):
            ownership_transfer(from_user=rep, to_user=rep, actor=people_a["admin"])
        with pytest.raises(ValidationError):
            ownership_transfer(from_user=rep, to_user=people_a["agent"], actor=people_a["admin"])
