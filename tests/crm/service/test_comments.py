"""Comments: public ones reach the customer (portal selector, e-mail after commit), internal
ones do not; the first public staff reply stops the response clock; a customer's reply puts
a request waiting on them back in progress."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.service.models import RequestStatus
from crm.service.selectors import comments_for, public_comments
from crm.service.services import service_comment_add, service_request_status_set
from tenants.users.models import User, UserKind
from tests.crm.service.service_factories import new_request


def test_a_public_comment_is_what_members_see_and_an_internal_one_is_not(service_world):
    request = new_request(actor=service_world["admin"], account=service_world["mine"])
    agent = service_world["agent"]
    public = service_comment_add(request=request, actor=agent, body="We are on it",
                                 public=True)
    internal = service_comment_add(request=request, actor=agent, body="Customer is grumpy",
                                   public=False)
    assert list(public_comments(request)) == [public]
    assert list(comments_for(viewer=agent, request=request)) == [public, internal]
    member = User.objects.create_user(email="m@customer.test", password="x-Long-pass-1",
                                      kind=UserKind.MEMBER)
    assert list(comments_for(viewer=member, request=request)) == [public]


def test_the_first_public_staff_reply_stops_the_response_clock(service_world):
    now = timezone.now()
    agent = service_world["agent"]
    request = new_request(actor=service_world["admin"], account=service_world["mine"], now=now)
    service_comment_add(request=request, actor=agent, body="internal", public=False,
                        now=now + timedelta(minutes=5))
    request.refresh_from_db()
    assert request.first_response_at is None
    service_comment_add(request=request, actor=agent, body="hello", public=True,
                        now=now + timedelta(minutes=10))
    service_comment_add(request=request, actor=agent, body="again", public=True,
                        now=now + timedelta(minutes=50))
    request.refresh_from_db()
    assert request.first_response_at == now + timedelta(minutes=10)


def test_the_customer_is_mailed_a_public_comment_after_commit_only(
        service_world, django_capture_on_commit_callbacks):
    request = new_request(actor=service_world["admin"], account=service_world["mine"],
                          contact=service_world["contact"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        service_comment_add(request=request, actor=service_world["agent"], body="Internal",
                            public=False)
        service_comment_add(request=request, actor=service_world["agent"], body="Fixed it",
                            public=True)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["buyer@customer.test"]]
    assert mail.outbox[0].body == "Fixed it"
    assert request.number in mail.outbox[0].subject


def test_a_customer_reply_resumes_a_request_waiting_on_them(service_world):
    from crm.accounts.models import Account
    from crm.service import members

    member = User.objects.create_user(email="m2@customer.test", password="x-Long-pass-1",
                                      kind=UserKind.MEMBER)
    saved = list(members._rules)
    saved_requests = list(members._request_rules)
    members._request_rules[:] = []  # the account rule alone decides here
    members.register_member_accounts(
        lambda viewer: Account.objects.filter(pk=service_world["mine"].pk).values("pk"))
    try:
        request = new_request(actor=service_world["admin"], account=service_world["mine"])
        service_request_status_set(request=request, actor=service_world["agent"],
                                   status=RequestStatus.WAITING_ON_CUSTOMER)
        comment = service_comment_add(request=request, actor=member, body="Serial is 42",
                                      public=False)
        request.refresh_from_db()
        assert comment.public is True
        assert comment.by_staff is False
        assert request.status == RequestStatus.IN_PROGRESS
        assert request.paused_at is None
    finally:
        members._rules[:] = saved
        members._request_rules[:] = saved_requests


def test_an_empty_comment_is_refused(service_world):
    request = new_request(actor=service_world["admin"], account=service_world["mine"])
    with pytest.raises(ValidationError):
        service_comment_add(request=request, actor=service_world["agent"], body="  ",
                            public=True)
