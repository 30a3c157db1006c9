"""Activity services: logging, planning, completing, check-in, comments, likes, reminders."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from crm.accounts.services import account_team_add
from crm.activities.models import AccountLocation, Activity, ActivityKind, ActivityLike
from crm.activities.services import (
    account_location_set,
    activity_comment,
    activity_complete,
    activity_create,
    activity_like,
    activity_log,
    activity_unlike,
    send_due_reminders,
    visit_check_in,
)
from crm.activities.tasks import send_activity_reminders
from crm.core.models import Notification
from tests.crm.accounts.factories import make_account, make_contact


def test_logging_a_call_touches_the_account_and_tells_its_team(tenant_a, in_tenant, people_a):
    rep, manager = people_a["rep"], people_a["manager"]
    with in_tenant(tenant_a):
        account = make_account(owner=rep)
        account_team_add(account=account, user=manager, role="support", actor=None)
        Notification.objects.all().delete()
        when = timezone.now() - timedelta(hours=2)
        call = activity_log(actor=rep, kind=ActivityKind.CALL, subject="Pricing call",
                            target=account, occurred_at=when, duration_minutes=20)
        account.refresh_from_db()
        assert call.account_id == account.pk
        assert call.done_at == when
        assert account.last_activity_at == when
        notes = Notification.objects.filter(verb="activity")
        assert [n.recipient_id for n in notes] == [manager.pk]  # never the actor
        assert "Pricing call" in notes[0].message


def test_activity_on_a_contact_counts_for_its_account(tenant_a, in_tenant, people_a):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        account = make_account(owner=rep)
        contact = make_contact(account=account)
        meeting = activity_log(actor=rep, kind=ActivityKind.MEETING, subject="Demo",
                               target=contact)
        assert meeting.target == contact
        assert meeting.account_id == account.pk


def test_task_needs_a_due_time_and_stays_open_until_completed(tenant_a, in_tenant, people_a):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        account = make_account(owner=rep)
        with pytest.raises(ValidationError) as error:
            activity_create(actor=rep, kind=ActivityKind.TASK, subject="Send quote",
                            target=account)
        assert "due_at" in error.value.message_dict
        due = timezone.now() + timedelta(days=1)
        task = activity_create(actor=rep, kind=ActivityKind.TASK, subject="Send quote",
                               target=account, due_at=due, remind_at=due - timedelta(hours=1))
        account.refresh_from_db()
        assert task.done_at is None
        assert account.last_activity_at is None  # an open task is no follow-up yet
        done = activity_complete(activity=task, actor=rep)
        first_done_at = done.done_at
        again = activity_complete(activity=task, actor=rep)
        account.refresh_from_db()
        assert again.done_at == first_done_at  # idempotent
        assert account.last_activity_at == first_done_at


def test_reminder_after_due_and_empty_subject_are_field_errors(tenant_a, in_tenant, people_a):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        due = timezone.now() + timedelta(days=1)
        with pytest.raises(ValidationError) as error:
            activity_create(actor=rep, kind=ActivityKind.TASK, subject="  ", due_at=due,
                            remind_at=due + timedelta(hours=1))
        assert {"subject", "remind_at"} <= set(error.value.message_dict)


def test_planned_meeting_is_open_and_reps_cannot_plan_for_others(tenant_a, in_tenant, people_a):
    rep, rep2, manager = people_a["rep"], people_a["rep2"], people_a["manager"]
    with in_tenant(tenant_a):
        later = timezone.now() + timedelta(days=2)
        planned = activity_create(actor=rep, kind=ActivityKind.MEETING, subject="Workshop",
                                  due_at=later)
        assert planned.done_at is None
        with pytest.raises(ValidationError) as error:
            activity_create(actor=rep, kind=ActivityKind.TASK, subject="For you", due_at=later,
                            owner=rep2)
        assert "owner" in error.value.message_dict
        delegated = activity_create(actor=manager, kind=ActivityKind.TASK, subject="For you",
                                    due_at=later, owner=rep2)
        assert delegated.owner_id == rep2.pk
        with pytest.raises(PermissionDenied):
            activity_complete(activity=delegated, actor=rep)


def test_read_only_users_cannot_create_or_like(tenant_a, in_tenant, people_a):
    readonly, rep = people_a["readonly"], people_a["rep"]
    with in_tenant(tenant_a):
        with pytest.raises(PermissionDenied):
            activity_log(actor=readonly, kind=ActivityKind.CALL, subject="x")
        log = activity_log(actor=rep, kind=ActivityKind.LOG, subject="Day")
        with pytest.raises(PermissionDenied):
            activity_like(activity=log, actor=readonly)


@pytest.mark.parametrize(("latitude", "longitude", "bad"), [
    ("91", "10", {"latitude"}),
    ("-90.5", "10", {"latitude"}),
    ("45", "180.01", {"longitude"}),
    ("abc", "", {"latitude", "longitude"}),
    ("NaN", "Infinity", {"latitude", "longitude"}),
])
def test_check_in_rejects_coordinates_out_of_range(tenant_a, in_tenant, people_a, latitude,
                                                    longitude, bad):
    with in_tenant(tenant_a):
        with pytest.raises(ValidationError) as error:
            visit_check_in(actor=people_a["rep"], latitude=latitude, longitude=longitude)
        assert set(error.value.message_dict) == bad
        assert not Activity.objects.exists()


def test_check_in_records_the_visit_and_learns_the_account_location(tenant_a, in_tenant,
                                                                   people_a):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        account = make_account(owner=rep)
        visit = visit_check_in(actor=rep, latitude="31.2304", longitude="121.4737",
                               target=account, address="People's Square")
        assert visit.kind == ActivityKind.VISIT
        assert visit.checked_in_at is not None
        assert visit.done_at is not None
        assert visit.latitude == Decimal("31.230400")
        location = AccountLocation.objects.get(account=account)
        assert location.longitude == Decimal("121.473700")
        visit_check_in(actor=rep, latitude="31.3", longitude="121.5", target=account)
        location.refresh_from_db()
        assert location.latitude == Decimal("31.300000")  # check-ins keep it current
        account_location_set(actor=rep, account=account, latitude="30", longitude="120")
        visit_check_in(actor=rep, latitude="31.4", longitude="121.6", target=account)
        location.refresh_from_db()
        assert (location.latitude, location.source) == (Decimal("30.000000"), "manual")


def test_comments_notify_the_owner_and_likes_are_idempotent(tenant_a, in_tenant, people_a):
    rep, rep2 = people_a["rep"], people_a["rep2"]
    with in_tenant(tenant_a):
        log = activity_log(actor=rep, kind=ActivityKind.LOG, subject="Monday",
                           notes="Three calls, one visit.")
        with pytest.raises(ValidationError):
            activity_comment(activity=log, actor=rep2, body="   ")
        activity_comment(activity=log, actor=rep2, body="Nice work")
        assert Notification.objects.filter(recipient=rep, verb="comment").count() == 1
        first = activity_like(activity=log, actor=rep2)
        second = activity_like(activity=log, actor=rep2)
        assert (first.created, second.created, second.count) == (True, False, 1)
        assert ActivityLike.objects.filter(activity=log).count() == 1
        assert activity_unlike(activity=log, actor=rep2).count == 0


def test_due_reminders_are_sent_once_by_notification_and_email(
        tenant_a, in_tenant, people_a, django_capture_on_commit_callbacks):
    rep = people_a["rep"]
    now = timezone.now()
    with in_tenant(tenant_a):
        due = activity_create(actor=rep, kind=ActivityKind.TASK, subject="Call back Wang",
                              due_at=now + timedelta(hours=1), remind_at=now - timedelta(minutes=5))
        activity_create(actor=rep, kind=ActivityKind.TASK, subject="Later",
                        due_at=now + timedelta(days=3), remind_at=now + timedelta(days=2))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert send_due_reminders(now=now) == 1
        assert send_due_reminders(now=now) == 0
        due.refresh_from_db()
        assert due.reminded_at == now
        reminders = Notification.objects.filter(recipient=rep, verb="reminder")
        assert reminders.count() == 1
        assert [m.to for m in mail.outbox] == [[rep.email]]
        assert "Call back Wang" in mail.outbox[0].subject


def test_reminder_task_runs_in_eager_mode(tenant_a, in_tenant, people_a):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        now = timezone.now()
        activity_create(actor=rep, kind=ActivityKind.CALL, subject="Planned call",
                        due_at=now + timedelta(hours=2), remind_at=now - timedelta(minutes=1))
        assert send_activity_reminders.delay().get() == 1
        assert send_activity_reminders.delay().get() == 0
