import json
import os
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection

from crm.accounts.models import Contact
from crm.accounts.services import contact_update
from crm.activities.services import activity_log
from crm.core.models import AuditEntry
from crm.dataexport import services as export_services
from crm.dataexport.erasure import person_erase, person_pseudonym
from crm.dataexport.models import ExportStatus
from crm.leads.models import Lead
from crm.leads.services.leads import lead_create
from crm.sales.models import Opportunity, OpportunityContact
from crm.sales.services import opportunity_create
from tenants.users.models import User, UserKind
from tests.crm.accounts.factories import make_account, make_contact

EMAIL = "zebulon.q@erase-me.test"
FIRST, LAST = "Zebulon", "Quartermaine"
PHONE_OLD, PHONE_NEW, MOBILE = "+1 555 0199 7788", "+1 555 0100 2233", "+86 138 0013 8000"
# Nothing of these may be left anywhere in the schema after the erasure.
IDENTIFIERS = (EMAIL, FIRST, LAST, PHONE_OLD, PHONE_NEW, MOBILE, "15550199", "8613800138000")


def _leftovers(schema_name: str, needles: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """Every (table, column, needle) where a text, JSON or text-array column of any table of
    the schema still holds one of the needles (case-insensitive)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
            "AND t.table_name = c.table_name WHERE c.table_schema = %s "
            "AND t.table_type = 'BASE TABLE' AND (c.data_type IN ('text', 'character varying', "
            "'character', 'json', 'jsonb', 'tsvector') OR c.data_type = 'ARRAY')",
            [schema_name],
        )
        columns = cursor.fetchall()
        found = []
        for table, column in columns:
            for needle in needles:
                cursor.execute(
                    f'SELECT count(*) FROM "{schema_name}"."{table}" '
                    f'WHERE "{column}"::text ILIKE %s', [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    found.append((table, column, needle))
        return found


@pytest.fixture
def person(tenant_a, in_tenant, django_capture_on_commit_callbacks):
    """A contact with field history, an activity and a lead quoting them, a deal, and a
    portal login with a document they uploaded; a bystander at the same account."""
    from wagtail.documents.models import Document
    from wagtail.models import Collection

    admin = tenant_a.users["admin"]
    with in_tenant(tenant_a):
        account = make_account(name="Erasure Test Account Ltd", owner=tenant_a.users["rep"])
        contact = make_contact(account=account, first_name=FIRST, last_name=LAST, email=EMAIL,
                               phone=PHONE_OLD, mobile=MOBILE, title="Head of Purchasing")
        contact = contact_update(contact=contact, actor=admin, phone=PHONE_NEW)
        bystander = make_contact(account=account, first_name="Ann", last_name="Keeper",
                                 email="ann@keep.test", phone="+1 555 0111 0000")
        activity_log(actor=tenant_a.users["rep"], kind="call",
                     subject=f"Call with {FIRST} {LAST}", target=contact,
                     notes=f"{FIRST} {LAST} ({EMAIL}) wants a quote; call back on {PHONE_NEW}. "
                           "Ann Keeper was there too.")
        opportunity = opportunity_create(
            account=account, name="Erasure Test Deal", amount="12345.67", currency="USD",
            close_date=date(2030, 1, 31), owner=tenant_a.users["rep"], actor=admin,
            contact=contact,
        )
        lead = lead_create(actor=admin, company="Erasure Test Account Ltd", first_name=FIRST,
                           last_name=LAST, email=EMAIL.upper(), phone=PHONE_OLD,
                           message=f"Hello, this is {FIRST}. Reach me at {MOBILE}.")
        member = User.objects.create_user(email=EMAIL, password="Member-password-123",
                                          kind=UserKind.MEMBER, first_name=FIRST,
                                          last_name=LAST, phone=MOBILE)
        document = Document(title=f"{FIRST} {LAST} ID scan", uploaded_by_user=member,
                            collection=Collection.get_first_root_node())
        with django_capture_on_commit_callbacks(execute=True):
            document.file.save("id-scan.pdf", ContentFile(b"%PDF id scan"), save=False)
            document.save()
        document_path = document.file.path
        from crm.core.models import Attachment

        attachment = Attachment(content_type=ContentType.objects.get_for_model(Contact),
                                object_id=contact.pk, name="passport.pdf")
        attachment.file.save("passport.pdf", ContentFile(b"%PDF passport"), save=False)
        attachment.save()
        attachment_path = attachment.file.path
    return {"attachment": attachment, "attachment_path": attachment_path,
            "contact": contact, "bystander": bystander, "opportunity": opportunity,
            "lead": lead, "member": member, "document": document,
            "document_path": document_path, "account": account}


def test_erasure_leaves_no_trace_of_the_person_and_keeps_the_business_records(
    tenant_a, in_tenant, person, django_capture_on_commit_callbacks
):
    with in_tenant(tenant_a):
        assert _leftovers("t_alpha", (EMAIL, LAST))  # the scan finds them before
        with django_capture_on_commit_callbacks(execute=True):
            result = person_erase(actor=tenant_a.users["admin"], contact=person["contact"],
                                  reason=f"Request #77 from {EMAIL}")
        assert _leftovers("t_alpha", IDENTIFIERS) == []

        contact = Contact.objects.get(pk=person["contact"].pk)
        pseudonym = person_pseudonym(kind="contact", record_id=contact.pk)
        assert result.pseudonym == pseudonym
        assert contact.last_name == pseudonym
        assert pseudonym.startswith("Erased person #")
        assert (contact.first_name, contact.email, contact.phone, contact.mobile, contact.title
                ) == ("", "", "", "", "")
        lead = Lead.objects.get(pk=person["lead"].pk)
        assert (lead.email, lead.phone, lead.message) == ("", "", "")
        assert lead.company == "Erasure Test Account Ltd"  # a company, not a person
        member = User.objects.get(pk=person["member"].pk)
        assert not member.is_active
        assert not member.has_usable_password()
        assert member.email.endswith("@erased.invalid")

        # Business records stay, linked as before.
        opportunity = Opportunity.objects.get(pk=person["opportunity"].pk)
        assert opportunity.amount == Decimal("12345.67")
        assert OpportunityContact.objects.filter(opportunity=opportunity, contact=contact).exists()
        bystander = Contact.objects.get(pk=person["bystander"].pk)
        assert (bystander.first_name, bystander.last_name, bystander.email) == (
            "Ann", "Keeper", "ann@keep.test")

        # The uploaded file is gone, the document row stays.
        document = type(person["document"]).objects.get(pk=person["document"].pk)
        assert not document.file
        assert not os.path.exists(person["document_path"])
        attachment = type(person["attachment"]).objects.get(pk=person["attachment"].pk)
        assert not attachment.file
        assert not os.path.exists(person["attachment_path"])

        entry = AuditEntry.objects.get(action="erasure.completed")
        assert entry.object_id == contact.pk
        assert entry.actor_id == tenant_a.users["admin"].pk
        assert entry.data["kind"] == "contact"
        assert entry.data["id"] == contact.pk
        text = json.dumps([entry.data, entry.changes])
        for identifier in IDENTIFIERS:
            assert identifier.lower() not in text.lower()
        assert result.leads == [lead.pk]
        assert result.members == [member.pk]


def test_erasure_deletes_existing_exports(tenant_a, in_tenant, person,
                                          django_capture_on_commit_callbacks, settings):
    with in_tenant(tenant_a):
        with django_capture_on_commit_callbacks(execute=True):
            export = export_services.export_request(actor=tenant_a.users["admin"])
        export.refresh_from_db()
        path = export.file.path
        with django_capture_on_commit_callbacks(execute=True):
            result = person_erase(actor=tenant_a.users["admin"], lead=person["lead"],
                                  reason="PIPL request")
        export.refresh_from_db()
        assert result.exports_discarded == 1
        assert export.status == ExportStatus.EXPIRED
        assert not export.file
    assert not os.path.exists(path)


def test_only_admins_may_erase(tenant_a, in_tenant, person):
    with in_tenant(tenant_a):
        for role in ("manager", "rep", "readonly"):
            with pytest.raises(PermissionDenied):
                person_erase(actor=tenant_a.users[role], contact=person["contact"], reason="x")
        assert Contact.objects.get(pk=person["contact"].pk).email == EMAIL


def test_erasure_needs_a_reason_and_refuses_staff_users(tenant_a, in_tenant, person):
    with in_tenant(tenant_a):
        with pytest.raises(ValidationError):
            person_erase(actor=tenant_a.users["admin"], contact=person["contact"], reason=" ")
        with pytest.raises(ValidationError):
            person_erase(actor=tenant_a.users["admin"], member=tenant_a.users["rep"],
                         reason="no")
        assert User.objects.get(pk=tenant_a.users["rep"].pk).is_active


def test_erasing_a_member_erases_their_contact_too(tenant_a, in_tenant, person):
    with in_tenant(tenant_a):
        person_erase(actor=tenant_a.users["admin"], member=person["member"], reason="GDPR")
        assert Contact.objects.get(pk=person["contact"].pk).email == ""
        assert _leftovers("t_alpha", (EMAIL,)) == []


def test_erase_button_shows_for_admins_only(tenant_a, tenant_client, person):
    contact_url = f"/crm/contacts/{person['contact'].pk}/"
    lead_url = f"/crm/leads/{person['lead'].pk}/"
    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    contact_page = admin.get(contact_url).content.decode()
    assert f"/crm/erasure/contact/{person['contact'].pk}/" in contact_page
    assert f"/crm/erasure/lead/{person['lead'].pk}/" in admin.get(lead_url).content.decode()
    manager = tenant_client(tenant_a, tenant_a.users["manager"])
    assert "/crm/erasure/" not in manager.get(contact_url).content.decode()
    assert manager.get(f"/crm/erasure/contact/{person['contact'].pk}/").status_code == 403


def test_confirmation_page_needs_the_typed_word_and_a_reason(tenant_a, tenant_client,
                                                             in_tenant, person):
    url = f"/crm/erasure/contact/{person['contact'].pk}/"
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": "Request #78", "confirmation": "erase"})
    assert refused.status_code == 400
    assert client.post(url, {"reason": "", "confirmation": "ERASE"}).status_code == 400
    with in_tenant(tenant_a):
        assert Contact.objects.get(pk=person["contact"].pk).email == EMAIL
    done = client.post(url, {"reason": "Request #78", "confirmation": "ERASE"})
    assert done.status_code == 302
    assert done["Location"] == f"/crm/contacts/{person['contact'].pk}/"
    with in_tenant(tenant_a):
        assert Contact.objects.get(pk=person["contact"].pk).email == ""


def test_lead_erasure_page_works_for_a_lead_alone(tenant_a, tenant_client, in_tenant):
    with in_tenant(tenant_a):
        lead = lead_create(actor=tenant_a.users["admin"], company="Solo Lead Co",
                           first_name="Quincy", last_name="Loneleadperson",
                           email="quincy@solo-lead.test", phone="+44 20 7946 0000")
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.post(f"/crm/erasure/lead/{lead.pk}/",
                           {"reason": "Asked by phone", "confirmation": "ERASE"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert _leftovers("t_alpha", ("quincy@solo-lead.test", "Loneleadperson",
                                      "+44 20 7946 0000")) == []
        assert Lead.objects.get(pk=lead.pk).company == "Solo Lead Co"


def test_another_tenants_contact_cannot_be_erased(tenant_a, tenant_b, in_tenant, tenant_client):
    with in_tenant(tenant_b):
        theirs = make_contact(account=make_account(name="Beta Erasure Co"),
                              last_name="Betaperson", email="beta-person@beta.test")
    with in_tenant(tenant_a):
        # Tenant A holds no contact with this id (ids differ by construction).
        Contact.objects.filter(pk=theirs.pk).delete()
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    assert client.get(f"/crm/erasure/contact/{theirs.pk}/").status_code == 404
    assert client.post(f"/crm/erasure/contact/{theirs.pk}/",
                       {"reason": "x", "confirmation": "ERASE"}).status_code == 404
    with in_tenant(tenant_b):
        assert Contact.objects.get(pk=theirs.pk).email == "beta-person@beta.test"
