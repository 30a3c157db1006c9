"""Self-registration: register -> verify the e-mail -> staff approve (linked to a contact,
suggested by e-mail domain, never automatically) or reject."""

import pytest

from portal.models import PortalMembership, PortalRegistration, RegistrationStatus
from portal.models import PortalSettings as Settings
from tenants.users.models import User, UserKind

FORM = {"email": "Nina@Hoth.test", "first_name": "Nina", "last_name": "New",
        "company": "Hoth Holdings", "phone": "123", "password1": "Nina-long-password-1",
        "password2": "Nina-long-password-1"}


@pytest.fixture
def open_registration(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        Settings.objects.filter(pk=1).update(self_registration="approval")


def _link(mail, marker: str) -> str:
    line = next(line for line in mail.body.splitlines() if marker in line)
    return line.split("localhost", 1)[1].lstrip(":0123456789")


def test_registration_is_closed_unless_the_tenant_opens_it(world, tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    assert client.get("/portal/register/").status_code == 404
    assert client.post("/portal/register/", FORM).status_code == 404
    assert "/portal/register/" not in client.get("/portal/login/").content.decode()


def test_journey_register_verify_staff_approve_sign_in(
        open_registration, world, tenant_a, tenant_client, in_tenant, mailoutbox,
        django_capture_on_commit_callbacks):
    visitor = tenant_client(tenant_a)
    assert "/portal/register/" in visitor.get("/portal/login/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post("/portal/register/", FORM)
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    verify = _link(mailoutbox[0], "/portal/register/verify/")
    with in_tenant(tenant_a):
        registration = PortalRegistration.objects.get(email="nina@hoth.test")
        assert registration.status == RegistrationStatus.UNVERIFIED
        assert not User.objects.filter(email="nina@hoth.test").exists()
    # Not listed for staff before the address is verified.
    staff = tenant_client(tenant_a, tenant_a.users["admin"])
    assert "nina@hoth.test" not in staff.get("/crm/portal/registrations/").content.decode()

    assert visitor.get(verify).status_code == 200
    with in_tenant(tenant_a):
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.PENDING

    listing = staff.get("/crm/portal/registrations/")
    assert listing.status_code == 200
    row = next(r for r in listing.context["rows"] if r["registration"].pk == registration.pk)
    # Suggested by the e-mail's domain (hoth.test), not linked.
    assert world.accounts["H"] in row["suggestions"].accounts
    assert {c.pk for c in row["suggestions"].contacts} >= {world.contacts["boss"].pk}
    detail = staff.get(f"/crm/portal/registrations/{registration.pk}/")
    assert detail.status_code == 200
    with in_tenant(tenant_a):
        assert not PortalMembership.objects.filter(user__email="nina@hoth.test").exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/crm/portal/registrations/{registration.pk}/", {
            "account": world.accounts["H"].pk, "role": "member"})
    assert response.status_code == 302
    assert "approved" in mailoutbox[-1].body
    with in_tenant(tenant_a):
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.APPROVED
        assert registration.password_hash == ""
        membership = PortalMembership.objects.get(user__email="nina@hoth.test")
        assert membership.account_id == world.accounts["H"].pk
        assert membership.contact.email == "nina@hoth.test"  # created through the service
        assert membership.user.kind == UserKind.MEMBER

    member = tenant_client(tenant_a)
    response = member.post("/portal/login/", {"username": "nina@hoth.test",
                                              "password": FORM["password1"]})
    assert response.status_code == 302
    assert member.get("/portal/").status_code == 200


def test_staff_link_a_registration_to_an_existing_contact(
        open_registration, world, tenant_a, tenant_client, in_tenant):
    from crm.accounts.models import Contact

    with in_tenant(tenant_a):
        contact = Contact.objects.create(account=world.accounts["B2"], last_name="New",
                                         email="nina@hoth.test")
        registration = _pending("nina@hoth.test")
    staff = tenant_client(tenant_a, tenant_a.users["admin"])
    response = staff.post(f"/crm/portal/registrations/{registration.pk}/",
                          {"contact": contact.pk, "role": "customer_admin"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        membership = PortalMembership.objects.get(user__email="nina@hoth.test")
        assert (membership.contact_id, membership.role) == (contact.pk, "customer_admin")


def _pending(email: str) -> PortalRegistration:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    return PortalRegistration.objects.create(
        email=email, last_name="New", company="Hoth", status=RegistrationStatus.PENDING,
        password_hash=make_password("Nina-long-password-1"), verification_nonce="n",
        verification_expires_at=timezone.now(), verified_at=timezone.now())


def test_staff_reject_a_registration(open_registration, world, tenant_a, tenant_client,
                                     in_tenant, mailoutbox,
                                     django_capture_on_commit_callbacks):
    with in_tenant(tenant_a):
        registration = _pending("spam@hoth.test")
    staff = tenant_client(tenant_a, tenant_a.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/crm/portal/registrations/{registration.pk}/reject/",
                              {"reason": "Unknown company"})
    assert response.status_code == 302
    assert "Unknown company" in mailoutbox[-1].body
    with in_tenant(tenant_a):
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.REJECTED
        assert not User.objects.filter(email="spam@hoth.test").exists()
    # Decided once.
    assert staff.post(f"/crm/portal/registrations/{registration.pk}/reject/"
                      ).status_code == 302


def test_approving_to_an_account_the_approver_cannot_see_is_refused(
        open_registration, world, tenant_b, tenant_client, in_tenant):
    with in_tenant(tenant_b):
        registration = _pending("nina@hoth.test")
    staff = tenant_client(tenant_b, tenant_b.users["admin"])
    response = staff.post(f"/crm/portal/registrations/{registration.pk}/",
                          {"account": world.accounts["H"].pk, "role": "member"})
    assert response.status_code == 200
    assert "No such contact or account" in response.content.decode()


def test_registrations_pages_need_the_capability(open_registration, world, tenant_a,
                                                 tenant_client, in_tenant):
    with in_tenant(tenant_a):
        registration = _pending("nina@hoth.test")
    readonly = tenant_client(tenant_a, tenant_a.users["readonly"])
    assert readonly.get("/crm/portal/registrations/").status_code == 403
    assert readonly.get(f"/crm/portal/registrations/{registration.pk}/").status_code == 403


def test_an_existing_address_registers_silently_with_no_e_mail(
        open_registration, world, tenant_a, tenant_client, in_tenant, mailoutbox,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = tenant_client(tenant_a).post("/portal/register/",
                                                {**FORM, "email": "eng@hoth.test"})
    assert response.status_code == 302  # the same answer as for a new address
    assert mailoutbox == []
    with in_tenant(tenant_a):
        assert not PortalRegistration.objects.filter(email="eng@hoth.test").exists()


def test_registration_refuses_a_weak_password(open_registration, world, tenant_a,
                                              tenant_client):
    response = tenant_client(tenant_a).post("/portal/register/", {
        **FORM, "password1": "123", "password2": "123"})
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]


def test_a_forged_verification_link_is_404(open_registration, world, tenant_a,
                                           tenant_client):
    assert tenant_client(tenant_a).get("/portal/register/verify/forged/").status_code == 404
