"""Members' sign-in, password reset, invitations, and the staff areas members never reach."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import PortalInvitation, PortalMembership
from portal.services.memberships import member_invite
from tenants.users.models import User, UserKind
from tests.conftest import PASSWORD


def test_member_signs_in_at_the_portal_and_lands_on_the_dashboard(world, tenant_a,
                                                                  tenant_client):
    client = tenant_client(tenant_a)
    response = client.post("/portal/login/", {"username": "eng@hoth.test",
                                              "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200


def test_staff_cannot_sign_in_at_the_portal(world, tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    response = client.post("/portal/login/", {"username": "rep@alpha.test",
                                              "password": PASSWORD})
    assert response.status_code == 200
    assert "This sign-in is for customers" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_portal_sign_in_uses_the_one_throttle(world, tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    for _ in range(10):
        client.post("/portal/login/", {"username": "eng@hoth.test", "password": "guess"})
    response = client.post("/portal/login/", {"username": "eng@hoth.test",
                                              "password": PASSWORD})
    assert response.status_code == 429
    assert response["Retry-After"]
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(world, member_client):
    client = member_client(world.members["eng"])
    response = client.post("/portal/logout/")
    assert response.status_code == 302
    assert client.get("/portal/").status_code == 302


def test_password_reset_mails_a_portal_link_to_members_only(world, tenant_a, tenant_client,
                                                           mailoutbox):
    client = tenant_client(tenant_a)
    assert client.post("/portal/password-reset/", {"email": "eng@hoth.test"}
                       ).status_code == 302
    assert len(mailoutbox) == 1
    assert "alpha.localhost" in mailoutbox[0].body
    assert "/portal/reset/" in mailoutbox[0].body
    client.post("/portal/password-reset/", {"email": "rep@alpha.test"})
    assert len(mailoutbox) == 1  # a staff address gets no portal link


def test_password_reset_link_sets_a_new_password(world, tenant_a, tenant_client, mailoutbox,
                                                 in_tenant):
    client = tenant_client(tenant_a)
    client.post("/portal/password-reset/", {"email": "eng@hoth.test"})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/portal/reset/" in line)
    path = link.split("alpha.localhost", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "A-new-long-secret-42", "new_password2": "A-new-long-secret-42"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert User.objects.get(email="eng@hoth.test").check_password("A-new-long-secret-42")


def test_password_reset_requests_are_throttled(world, tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    for _ in range(5):
        client.post("/portal/password-reset/", {"email": "eng@hoth.test"})
    assert client.post("/portal/password-reset/", {"email": "eng@hoth.test"}
                       ).status_code == 429


def _link_from(mail) -> str:
    line = next(line for line in mail.body.splitlines() if "/portal/invitation/" in line)
    return line.split("localhost", 1)[1].lstrip(":0123456789")


def test_journey_invite_set_password_sign_in_dashboard(
        world, tenant_a, tenant_client, in_tenant, mailoutbox,
        django_capture_on_commit_callbacks):
    from crm.accounts.models import Contact

    with in_tenant(tenant_a):
        contact = Contact.objects.create(account=world.accounts["B1"], first_name="Ivy",
                                         last_name="Invitee", email="ivy@hoth.test")
    staff = tenant_client(tenant_a, tenant_a.users["admin"])
    page = staff.get(f"/crm/contacts/{contact.pk}/").content.decode()
    assert f"/crm/portal/contacts/{contact.pk}/invite/" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/crm/portal/contacts/{contact.pk}/invite/", {"role": "member"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = _link_from(mailoutbox[0])
    assert "Hoth Branch One" in mailoutbox[0].body

    visitor = tenant_client(tenant_a)
    assert visitor.get(link).status_code == 200
    # The invitee cannot sign in before accepting.
    assert visitor.post("/portal/login/", {"username": "ivy@hoth.test",
                                           "password": PASSWORD}).status_code == 200
    response = visitor.post(link, {"first_name": "Ivy", "last_name": "Invitee",
                                   "password1": "Ivy-long-password-7",
                                   "password2": "Ivy-long-password-7"})
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    dashboard = visitor.get("/portal/")
    assert dashboard.status_code == 200
    assert dashboard.context["portal"].account.pk == world.accounts["B1"].pk
    assert dashboard.context["counts"]["assets"] == 1
    # One time only.
    assert tenant_client(tenant_a).get(link).status_code == 404
    with in_tenant(tenant_a):
        user = User.objects.get(email="ivy@hoth.test")
        assert user.kind == UserKind.MEMBER
        assert user.is_active


def test_invitation_link_expires(world, tenant_a, tenant_client, in_tenant, mailoutbox,
                                 django_capture_on_commit_callbacks):
    with in_tenant(tenant_a):
        world.contacts["peer"].email = "peer@hoth.test"
        with django_capture_on_commit_callbacks(execute=True):
            result = member_invite(contact=world.contacts["peer"], role="member",
                                   actor=tenant_a.users["admin"])
        PortalInvitation.objects.filter(pk=result.invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1))
    response = tenant_client(tenant_a).get(_link_from(mailoutbox[0]))
    assert response.status_code == 404
    assert "expired" in response.content.decode()


def test_invitation_link_does_not_work_on_another_tenants_host(
        world, tenant_a, tenant_b, tenant_client, in_tenant, mailoutbox,
        django_capture_on_commit_callbacks):
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        member_invite(contact=world.contacts["peer"], role="member",
                      actor=tenant_a.users["admin"])
    assert tenant_client(tenant_b).get(_link_from(mailoutbox[0])).status_code == 404


def test_a_new_invitation_replaces_the_earlier_link(world, tenant_a, tenant_client, in_tenant,
                                                    mailoutbox,
                                                    django_capture_on_commit_callbacks):
    with in_tenant(tenant_a):
        for role in ("member", "customer_admin"):
            with django_capture_on_commit_callbacks(execute=True):
                member_invite(contact=world.contacts["peer"], role=role,
                              actor=tenant_a.users["admin"])
    first, second = _link_from(mailoutbox[0]), _link_from(mailoutbox[1])
    assert tenant_client(tenant_a).get(first).status_code == 404
    assert tenant_client(tenant_a).get(second).status_code == 200


def test_inviting_an_active_member_to_another_account_grants_it_at_once(
        world, tenant_a, in_tenant, mailoutbox, django_capture_on_commit_callbacks):
    from crm.accounts.models import Contact

    with in_tenant(tenant_a):
        other = Contact.objects.create(account=world.accounts["B2"], last_name="Eng",
                                       email="eng@hoth.test")
        with django_capture_on_commit_callbacks(execute=True):
            result = member_invite(contact=other, role="member", actor=tenant_a.users["admin"])
        assert result.invitation is None
        assert PortalMembership.objects.filter(user=world.members["eng"]).count() == 2
    assert "Hoth Branch Two" in mailoutbox[0].subject


def test_staff_addresses_cannot_be_invited(world, tenant_a, in_tenant):
    from django.core.exceptions import ValidationError

    from crm.accounts.models import Contact

    with in_tenant(tenant_a):
        contact = Contact.objects.create(account=world.accounts["H"], last_name="Rep",
                                         email="rep@alpha.test")
        with pytest.raises(ValidationError):
            member_invite(contact=contact, role="member", actor=tenant_a.users["admin"])


def test_the_invite_button_needs_the_capability(world, tenant_a, tenant_client):
    contact = world.contacts["peer"]
    readonly = tenant_client(tenant_a, tenant_a.users["readonly"])
    assert f"/crm/portal/contacts/{contact.pk}/invite/" not in readonly.get(
        f"/crm/contacts/{contact.pk}/").content.decode()
    assert readonly.post(f"/crm/portal/contacts/{contact.pk}/invite/",
                         {"role": "member"}).status_code == 403


def test_a_foreign_contact_id_is_404_on_the_invite_action(world, tenant_b, tenant_client):
    client = tenant_client(tenant_b, tenant_b.users["admin"])
    assert client.post(f"/crm/portal/contacts/{world.contacts['peer'].pk}/invite/",
                       {"role": "member"}).status_code == 404


@pytest.mark.parametrize(("path", "allowed"), [
    ("/crm/", {403}),
    ("/crm/accounts/", {403}),
    ("/crm/settings/", {403}),
    ("/api/v1/accounts/", {403}),
    ("/api/schema/", {403}),
    ("/cms/", {302}),
    ("/cms/pages/", {302}),
    ("/admin/", {302}),
])
def test_members_never_reach_staff_areas(world, member_client, path, allowed):
    response = member_client(world.members["boss"]).get(path)
    assert response.status_code in allowed, (path, response.status_code)
    if response.status_code == 302:
        assert "login" in response["Location"]


def test_an_invitation_to_another_account_leaves_the_earlier_link_open(world, tenant_a,
                                                                       in_tenant):
    from crm.accounts.models import Contact
    from tests.portal.conftest import set_branches

    with in_tenant(tenant_a):
        set_branches(True)
        first = member_invite(contact=world.contacts["peer"], role="member",
                              actor=tenant_a.users["admin"]).invitation
        # The head office's customer admin invites the same person to the sibling branch.
        elsewhere = Contact.objects.create(account=world.accounts["B2"], last_name="Peer",
                                           email="peer@hoth.test")
        second = member_invite(contact=elsewhere, role="member",
                               actor=world.members["boss"]).invitation
        first.refresh_from_db()
        assert first.revoked_at is None
        assert second.revoked_at is None
        # Inviting to the same account again still replaces that account's link.
        third = member_invite(contact=world.contacts["peer"], role="customer_admin",
                              actor=tenant_a.users["admin"]).invitation
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.revoked_at is not None
        assert second.revoked_at is None
        assert third.revoked_at is None


def test_a_disabled_member_is_not_brought_back_by_an_invitation(world, tenant_a, in_tenant):
    from django.core.exceptions import ValidationError

    from crm.accounts.models import Contact
    from portal.services.memberships import (
        member_invitation_accept,
        member_invitation_token,
    )

    with in_tenant(tenant_a):
        eng = world.members["eng"]
        User.objects.filter(pk=eng.pk).update(is_active=False)  # an operator disabled them
        other = Contact.objects.create(account=world.accounts["B2"], last_name="Eng",
                                       email="eng@hoth.test")
        with pytest.raises(ValidationError, match="disabled"):
            member_invite(contact=other, role="member", actor=tenant_a.users["admin"])
        assert not PortalMembership.objects.filter(user=eng, account=world.accounts["B2"]
                                                   ).exists()
        # A link sent before the user was disabled does not enable them either.
        invitation = member_invite(contact=world.contacts["peer"], role="member",
                                   actor=tenant_a.users["admin"]).invitation
        peer = invitation.membership.user
        peer.set_password("Peer-long-password-7")
        peer.save()
        token = member_invitation_token(invitation=invitation)
        with pytest.raises(ValidationError, match="disabled"):
            member_invitation_accept(token=token, password="Another-long-password-8")
        peer.refresh_from_db()
        assert not peer.is_active
        assert peer.check_password("Peer-long-password-7")
