"""E-mail to the member on every status change of their request and on every public staff
comment, queued after commit; never an internal comment or a staff note; not to the member
who made the change; opt-outs respected."""

import pytest
from django.core import mail

from crm.service.models import RequestStatus
from crm.service.services import (
    service_comment_add,
    service_request_close,
    service_request_status_set,
)
from portal.models import MemberNotificationPreference, NotificationKind
from portal.service_notifications import send_service_request_status


@pytest.fixture
def request_of_eng(world):
    return world.requests["B1_eng"]  # raised by eng (created_by), at branch one


def _recipients() -> list[list[str]]:
    return [message.to for message in mail.outbox]


def test_a_status_change_is_mailed_to_the_member_after_commit_only(
        world, tenant_a, in_tenant, request_of_eng, django_capture_on_commit_callbacks):
    with in_tenant(tenant_a):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            service_request_status_set(request=request_of_eng, actor=tenant_a.users["agent"],
                                       status=RequestStatus.IN_PROGRESS,
                                       note="INTERNAL: waiting for a part from Bob")
        assert mail.outbox == []
        assert callbacks
        for callback in callbacks:
            callback()
    assert _recipients() == [["eng@hoth.test"]]
    message = mail.outbox[0]
    assert request_of_eng.number in message.subject
    assert "In progress" in message.subject
    assert f"/portal/service-requests/{request_of_eng.pk}/" in message.body
    assert "INTERNAL" not in message.body


def test_nothing_is_mailed_when_the_change_rolls_back(world, tenant_a, in_tenant,
                                                     request_of_eng,
                                                     django_capture_on_commit_callbacks):
    from django.db import transaction

    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                service_request_status_set(request=request_of_eng,
                                           actor=tenant_a.users["agent"],
                                           status=RequestStatus.RESOLVED)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert mail.outbox == []


def test_the_member_who_closes_is_not_mailed_but_the_contacts_member_is(
        world, tenant_a, in_tenant, django_capture_on_commit_callbacks):
    from tests.portal.conftest import make_member

    # B1_eng_contact: of eng's contact; eng's colleague "peer" raised nothing here.
    with in_tenant(tenant_a):
        service_request = world.requests["B1_eng_contact"]
        with django_capture_on_commit_callbacks(execute=True):
            service_request_close(request=service_request, actor=world.members["eng"])
        assert mail.outbox == []
        peer = make_member("peer@hoth.test", contact=world.contacts["peer"])
        with django_capture_on_commit_callbacks(execute=True):
            service_request_status_set(request=world.requests["B1_peer"],
                                       actor=tenant_a.users["agent"],
                                       status=RequestStatus.IN_PROGRESS)
    assert _recipients() == [[peer.email]]


def test_public_staff_comments_are_mailed_internal_ones_never(
        world, tenant_a, in_tenant, request_of_eng, django_capture_on_commit_callbacks):
    with in_tenant(tenant_a):
        agent = tenant_a.users["agent"]
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            service_comment_add(request=request_of_eng, actor=agent,
                                body="INTERNAL: the customer broke it", public=False)
            service_comment_add(request=request_of_eng, actor=agent,
                                body="A technician comes on Tuesday", public=True)
        assert mail.outbox == []
        for callback in callbacks:
            callback()
    assert _recipients() == [["eng@hoth.test"]]
    assert mail.outbox[0].body == "A technician comes on Tuesday"
    assert all("INTERNAL" not in m.body and "INTERNAL" not in m.subject
               for m in mail.outbox)


def test_a_members_own_comment_is_not_mailed_back(world, tenant_a, in_tenant, request_of_eng,
                                                  django_capture_on_commit_callbacks):
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        service_comment_add(request=request_of_eng, actor=world.members["eng"],
                            body="Thanks")
    assert mail.outbox == []


@pytest.mark.parametrize(("kind", "act"), [
    (NotificationKind.SERVICE_REQUEST_STATUS, "status"),
    (NotificationKind.SERVICE_REQUEST_COMMENT, "comment"),
])
def test_members_who_turned_an_email_off_do_not_get_it(world, tenant_a, in_tenant,
                                                       request_of_eng, kind, act,
                                                       django_capture_on_commit_callbacks):
    with in_tenant(tenant_a):
        MemberNotificationPreference.objects.create(user=world.members["eng"], kind=kind,
                                                    email=False)
        agent = tenant_a.users["agent"]
        with django_capture_on_commit_callbacks(execute=True):
            if act == "status":
                service_request_status_set(request=request_of_eng, actor=agent,
                                           status=RequestStatus.IN_PROGRESS)
            else:
                service_comment_add(request=request_of_eng, actor=agent, body="Hello",
                                    public=True)
    assert mail.outbox == []


def test_a_contact_without_portal_access_still_hears_of_comments(
        world, tenant_a, in_tenant, django_capture_on_commit_callbacks):
    # The head-office request is of the buyer's contact; make the buyer's access inactive.
    from portal.models import PortalMembership

    with in_tenant(tenant_a):
        PortalMembership.objects.filter(user=world.members["buyer"]).update(is_active=False)
        with django_capture_on_commit_callbacks(execute=True):
            service_comment_add(request=world.requests["H"], actor=tenant_a.users["agent"],
                                body="We called you", public=True)
    assert _recipients() == [["buyer@hoth.test"]]


def test_the_status_email_goes_out_once_when_the_task_runs_twice(
        world, tenant_a, in_tenant, request_of_eng, django_capture_on_commit_callbacks):
    from crm.service.models import StatusChange

    with in_tenant(tenant_a):
        with django_capture_on_commit_callbacks(execute=True):
            service_request_status_set(request=request_of_eng, actor=tenant_a.users["agent"],
                                       status=RequestStatus.IN_PROGRESS)
        change = StatusChange.objects.filter(request=request_of_eng).latest("pk")
        assert send_service_request_status(change.pk) == 0
    assert len(mail.outbox) == 1


def test_a_member_who_lost_access_is_not_mailed(world, tenant_a, in_tenant, request_of_eng,
                                               django_capture_on_commit_callbacks):
    from portal.models import PortalMembership

    with in_tenant(tenant_a):
        PortalMembership.objects.filter(user=world.members["eng"]).update(is_active=False)
        with django_capture_on_commit_callbacks(execute=True):
            service_request_status_set(request=request_of_eng, actor=tenant_a.users["agent"],
                                       status=RequestStatus.IN_PROGRESS)
    assert mail.outbox == []
