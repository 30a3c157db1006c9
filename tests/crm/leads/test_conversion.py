from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crm.accounts.models import Account, Contact
from crm.accounts.services import account_create
from crm.leads.models import Lead, LeadStatus
from crm.leads.services import DuplicateAccountError, lead_convert, lead_disqualify, lead_update
from crm.sales.models import Opportunity, Pipeline
from crm.sales.services import default_pipeline

pytestmark = pytest.mark.usefixtures("no_rules")


def test_convert_creates_account_contact_and_opportunity_and_links_them(
    tenant_a, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        rep = people_a["rep"]
        lead = make_lead(actor=rep, owner=rep, company="Zephyr Turbines", first_name="Ada",
                         last_name="Byron", email="ada@zephyr.example", title="CTO")
        conversion = lead_convert(lead=lead, actor=rep)
        assert conversion.account_created
        assert conversion.account.name == "Zephyr Turbines"
        assert conversion.account.owner == rep
        assert conversion.contact.account == conversion.account
        assert (conversion.contact.last_name, conversion.contact.email) == (
            "Byron", "ada@zephyr.example")
        opportunity = conversion.opportunity
        assert opportunity.account == conversion.account
        assert opportunity.pipeline == default_pipeline()
        assert opportunity.owner == rep
        stored = Lead.objects.get(pk=lead.pk)
        assert stored.status == LeadStatus.CONVERTED
        assert stored.converted_at is not None
        assert (stored.converted_account, stored.converted_contact,
                stored.converted_opportunity) == (conversion.account, conversion.contact,
                                                  opportunity)


def test_convert_into_an_existing_account_without_opportunity(
    tenant_a, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        rep = people_a["rep"]
        account = account_create(actor=rep, name="Existing Works")
        lead = make_lead(actor=rep, owner=rep, company="Existing Works Ltd")
        accounts_before = Account.objects.count()
        conversion = lead_convert(lead=lead, actor=rep, account=account,
                                  create_opportunity=False)
        assert conversion.account == account
        assert not conversion.account_created
        assert conversion.opportunity is None
        assert Account.objects.count() == accounts_before
        assert Contact.objects.filter(account=account, email=lead.email).count() == 1
        assert Lead.objects.get(pk=lead.pk).converted_opportunity is None


def test_convert_in_a_chosen_pipeline(tenant_a, in_tenant, people_a, make_lead):
    from crm.sales.services import pipeline_create, stage_create

    with in_tenant(tenant_a):
        admin = people_a["admin"]
        pipeline = pipeline_create(name="Projects", actor=admin)
        if not pipeline.stages.exists():
            stage_create(pipeline=pipeline, name="Scoping", probability=10, actor=admin)
        lead = make_lead(actor=admin, owner=people_a["rep"])
        conversion = lead_convert(lead=lead, actor=admin, pipeline=pipeline)
        assert conversion.opportunity.pipeline == pipeline


def test_strong_duplicate_refuses_a_silent_new_account_until_confirmed(
    tenant_a, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        rep = people_a["rep"]
        existing = account_create(actor=rep, name="Northwind Traders Co., Ltd.")
        lead = make_lead(actor=rep, owner=rep, company="northwind traders")
        accounts_before = Account.objects.count()
        with pytest.raises(DuplicateAccountError) as refused:
            lead_convert(lead=lead, actor=rep)
        assert existing.pk in [candidate.id for candidate in refused.value.candidates]
        assert Account.objects.count() == accounts_before
        assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW
        conversion = lead_convert(lead=lead, actor=rep, confirm_new_account=True)
        assert conversion.account.pk != existing.pk
        assert Account.objects.count() == accounts_before + 1


def test_converting_twice_is_a_clear_error(tenant_a, in_tenant, people_a, make_lead):
    with in_tenant(tenant_a):
        rep = people_a["rep"]
        lead = make_lead(actor=rep, owner=rep)
        lead_convert(lead=lead, actor=rep)
        accounts = Account.objects.count()
        with pytest.raises(ValidationError) as twice:
            lead_convert(lead=Lead.objects.get(pk=lead.pk), actor=rep)
        assert "converted already" in str(twice.value.message_dict["lead"])
        assert Account.objects.count() == accounts
        with pytest.raises(ValidationError):
            lead_update(lead=Lead.objects.get(pk=lead.pk), actor=rep, company="Changed")


def test_failure_half_way_rolls_everything_back(tenant_a, in_tenant, people_a, make_lead):
    with in_tenant(tenant_a):
        rep = people_a["rep"]
        closed = Pipeline.objects.create(name="Retired pipeline", active=False)
        lead = make_lead(actor=rep, owner=rep, company="Halfway Holdings")
        counts = (Account.objects.count(), Contact.objects.count(), Opportunity.objects.count())
        with pytest.raises(ValidationError):
            lead_convert(lead=lead, actor=rep, pipeline=closed)
        assert (Account.objects.count(), Contact.objects.count(),
                Opportunity.objects.count()) == counts
        stored = Lead.objects.get(pk=lead.pk)
        assert stored.status == LeadStatus.NEW
        assert stored.converted_account is None


def test_disqualified_lead_needs_a_reason_and_cannot_convert(
    tenant_a, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        rep = people_a["rep"]
        lead = make_lead(actor=rep, owner=rep)
        with pytest.raises(ValidationError):
            lead_disqualify(lead=lead, actor=rep, reason="  ")
        lead_disqualify(lead=lead, actor=rep, reason="Student project")
        assert Lead.objects.get(pk=lead.pk).disqualified_reason == "Student project"
        with pytest.raises(ValidationError):
            lead_convert(lead=lead, actor=rep)


def test_converting_an_unassigned_lead_gives_it_to_the_converter(
    tenant_a, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        rep = people_a["rep"]
        lead = make_lead(actor=rep)
        conversion = lead_convert(lead=lead, actor=rep, amount=Decimal("1200"))
        assert conversion.lead.owner == rep
        assert conversion.opportunity.owner == rep
        assert conversion.opportunity.amount == Decimal("1200")
