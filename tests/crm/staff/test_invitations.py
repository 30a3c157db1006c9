"""Invitations: queued after commit, accepted once with a valid password (signed in on
/crm/), refused when expired, reused, revoked, superseded or used on another tenant's host."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from crm.core.models import AuditEntry
from crm.staff.models import Invitation
from crm.staff.services.invitations import invitation_create, invitation_resend
from tenants.users.models import Role, User

from .helpers import last_link

GOOD_PASSWORD = "Blue-giraffe-sings-42"


def _invite(tenant, in_tenant, actor, capture, email="new.rep@alpha.test", role=Role.SALES_REP):
    with in_tenant(tenant), capture(execute=True):
        return invitation_create(email=email, role=role, actor=actor, first_name="New",
                                 last_name="Rep")


def test_invitation_email_is_sent_only_after_commit(
        tenant_a, in_tenant, people_a, django_capture_on_commit_callbacks):
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = invitation_create(email="Later@Alpha.test", role=Role.SALES_REP,
                                       actor=people_a["admin"])
        assert mail.outbox == []  # nothing leaves inside the transaction
    assert len(callbacks) == 1
    with in_tenant(tenant_a):
        callbacks[0]()
        assert Invitation.objects.get(pk=invitation.pk).sent_at is not None
    assert mail.outbox[0].to == ["later@alpha.test"]
    assert last_link("later@alpha.test")["host"] == "alpha.localhost"


def test_invitee_sets_a_password_and_lands_signed_in_on_the_crm(
        tenant_a, in_tenant, people_a, tenant_client, django_capture_on_commit_callbacks):
    invitation = _invite(tenant_a, in_tenant, people_a["admin"],
                         django_capture_on_commit_callbacks)
    with in_tenant(tenant_a):
        user = User.objects.get(pk=invitation.user_id)
        assert not user.is_active
        assert not user.has_usable_password()
    link = last_link("new.rep@alpha.test")
    client = tenant_client(tenant_a)

    page = client.get(link["path"])
    assert page.status_code == 200
    assert "new.rep@alpha.test" in page.content.decode()
    response = client.post(link["path"], {"first_name": "Nina", "last_name": "Rep",
                                          "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/crm/"
    assert client.get("/crm/").status_code == 200  # signed in as the new user
    with in_tenant(tenant_a):
        user = User.objects.get(pk=invitation.user_id)
        assert user.is_active
        assert user.check_password(GOOD_PASSWORD)
        assert user.first_name == "Nina"
        assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None
        assert AuditEntry.objects.filter(object_id=user.pk, action="invitation.accepted").exists()


def test_password_validators_apply_when_accepting(
        tenant_a, in_tenant, people_a, tenant_client, django_capture_on_commit_callbacks):
    _invite(tenant_a, in_tenant, people_a["admin"], django_capture_on_commit_callbacks)
    link = last_link("new.rep@alpha.test")
    client = tenant_client(tenant_a)

    response = client.post(link["path"], {"password1": "12345678", "password2": "12345678"})

    assert response.status_code == 400
    assert "too short" in response.content.decode() or "too common" in response.content.decode()
    with in_tenant(tenant_a):
        assert not User.objects.get(email="new.rep@alpha.test").is_active


def test_an_invitation_link_works_once(
        tenant_a, in_tenant, people_a, tenant_client, django_capture_on_commit_callbacks):
    _invite(tenant_a, in_tenant, people_a["admin"], django_capture_on_commit_callbacks)
    link = last_link("new.rep@alpha.test")
    data = {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    assert tenant_client(tenant_a).post(link["path"], data).status_code == 302

    again = tenant_client(tenant_a).post(link["path"], {"password1": "Other-pass-word-77",
                                                        "password2": "Other-pass-word-77"})

    assert again.status_code == 404
    assert "already used" in again.content.decode()
    with in_tenant(tenant_a):
        assert User.objects.get(email="new.rep@alpha.test").check_password(GOOD_PASSWORD)


def test_an_expired_invitation_is_refused(
        tenant_a, in_tenant, people_a, tenant_client, django_capture_on_commit_callbacks):
    invitation = _invite(tenant_a, in_tenant, people_a["admin"],
                         django_capture_on_commit_callbacks)
    with in_tenant(tenant_a):
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1))
    link = last_link("new.rep@alpha.test")

    response = tenant_client(tenant_a).post(link["path"], {"password1": GOOD_PASSWORD,
                                                           "password2": GOOD_PASSWORD})

    assert response.status_code == 404
    assert "expired" in response.content.decode()
    with in_tenant(tenant_a):
        assert not User.objects.get(pk=invitation.user_id).is_active


def test_invitations_expire_after_seven_days(tenant_a, in_tenant, people_a):
    now = timezone.now()
    with in_tenant(tenant_a):
        invitation = invitation_create(email="week@alpha.test", role=Role.SALES_REP,
                                       actor=people_a["admin"], now=now)
    assert invitation.expires_at == now + timedelta(days=7)


def test_a_revoked_invitation_is_refused_and_frees_the_address(
        tenant_a, in_tenant, people_a, tenant_client, django_capture_on_commit_callbacks):
    invitation = _invite(tenant_a, in_tenant, people_a["admin"],
                         django_capture_on_commit_callbacks)
    link = last_link("new.rep@alpha.test")
    admin = tenant_client(tenant_a, people_a["admin"])

    revoked = admin.post(f"/crm/settings/users/{invitation.user_id}/invitation/revoke/")

    assert revoked.status_code == 302
    response = tenant_client(tenant_a).get(link["path"])
    assert response.status_code == 404
    with in_tenant(tenant_a):
        assert not User.objects.filter(email="new.rep@alpha.test").exists()
        entry = AuditEntry.objects.get(action="invitation.revoked", object_id=invitation.user_id)
        assert entry.actor_id == people_a["admin"].pk
        assert entry.data["email"] == "new.rep@alpha.test"
    again = _invite(tenant_a, in_tenant, people_a["admin"], django_capture_on_commit_callbacks)
    assert again.user_id != invitation.user_id


def test_resending_sends_a_new_link_and_retires_the_old_one(
        tenant_a, in_tenant, people_a, tenant_client, django_capture_on_commit_callbacks):
    invitation = _invite(tenant_a, in_tenant, people_a["admin"],
                         django_capture_on_commit_callbacks)
    old = last_link("new.rep@alpha.test")
    admin = tenant_client(tenant_a, people_a["admin"])

    with django_capture_on_commit_callbacks(execute=True):
        resent = admin.post(f"/crm/settings/users/{invitation.user_id}/invitation/resend/")

    assert resent.status_code == 302
    new = last_link("new.rep@alpha.test")
    assert new["token"] != old["token"]
    assert tenant_client(tenant_a).get(old["path"]).status_code == 404
    assert tenant_client(tenant_a).get(new["path"]).status_code == 200


def test_resend_extends_an_expired_invitation(tenant_a, in_tenant, people_a):
    now = timezone.now()
    with in_tenant(tenant_a):
        invitation = invitation_create(email="late@alpha.test", role=Role.SALES_REP,
                                       actor=people_a["admin"], now=now - timedelta(days=8))
        renewed = invitation_resend(invitation=invitation, actor=people_a["admin"], now=now)
    assert renewed.expires_at == now + timedelta(days=7)


def test_a_link_does_not_work_on_another_tenants_host(
        tenant_a, tenant_b, in_tenant, people_a, people_b, tenant_client,
        django_capture_on_commit_callbacks):
    # An invitation with the same id exists in beta, so only the host tells them apart.
    invitation = _invite(tenant_a, in_tenant, people_a["admin"],
                         django_capture_on_commit_callbacks)
    with in_tenant(tenant_b):
        theirs = invitation_create(email="new.rep@beta.test", role=Role.SALES_REP,
                                   actor=people_b["admin"])
        Invitation.objects.filter(pk=theirs.pk).update(pk=invitation.pk)
    link = last_link("new.rep@alpha.test")

    on_beta = tenant_client(tenant_b).post(link["path"], {"password1": GOOD_PASSWORD,
                                                          "password2": GOOD_PASSWORD})

    assert on_beta.status_code == 404
    with in_tenant(tenant_b):
        assert not User.objects.get(email="new.rep@beta.test").is_active
    with in_tenant(tenant_a):
        assert not User.objects.get(pk=invitation.user_id).is_active
    assert tenant_client(tenant_a).get(link["path"]).status_code == 200  # still fine at home


def test_a_tampered_token_is_refused(tenant_a, tenant_client):
    response = tenant_client(tenant_a).get("/crm/invitations/eyJpIjoxLCJuIjoieCJ9:forged/")
    assert response.status_code == 404


@pytest.mark.parametrize("email", ["rep@alpha.test", "REP@alpha.test "])
def test_inviting_an_existing_user_is_refused(tenant_a, in_tenant, people_a, email):
    from django.core.exceptions import ValidationError

    with in_tenant(tenant_a), pytest.raises(ValidationError, match="already a user"):
        invitation_create(email=email, role=Role.SALES_REP, actor=people_a["admin"])
