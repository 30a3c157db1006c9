"""Activity commands: each one transaction, keyword-only, taking the actor.

Callers resolve the target record through its app's visibility accessor first
(crm.activities.targets.target_get_for); these functions trust the record they are given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Account
from crm.accounts.services import account_team_notify, account_touch_activity
from crm.activities.models import (
    AccountLocation,
    Activity,
    ActivityComment,
    ActivityKind,
    ActivityLike,
)
from crm.activities.targets import account_id_of, target_key_of
from crm.core.notifications import notify
from tenants.users.models import User
from tenants.users.permissions import Capability, can

PLANNABLE_KINDS = (ActivityKind.CALL, ActivityKind.VISIT, ActivityKind.MEETING)


def _require_edit(actor: User | None) -> None:
    """``actor=None`` is the system (seeders, tasks); people need EDIT_RECORDS."""
    if actor is not None and not can(actor, Capability.EDIT_RECORDS):
        raise PermissionDenied(_("You may not change records."))


def activity_url(activity: Activity) -> str:
    return reverse("activities:activity_detail", args=[activity.pk])


def _check_owner(*, actor: User | None, owner: User | None) -> None:
    if actor is None or owner is None or owner.pk == actor.pk:
        return
    if not can(actor, Capability.ASSIGN_RECORDS):
        raise ValidationError({"owner": _("You may not plan activities for other people.")})


def _validate(activity: Activity) -> None:
    errors: dict[str, list[str]] = {}
    if activity.kind not in ActivityKind.values:
        errors.setdefault("kind", []).append(_("Choose a valid kind of activity."))
    if not (activity.subject or "").strip():
        errors.setdefault("subject", []).append(_("Give the activity a subject."))
    if activity.remind_at and activity.kind == ActivityKind.LOG:
        errors.setdefault("remind_at", []).append(_("Sales logs take no reminder."))
    if activity.remind_at and activity.due_at and activity.remind_at > activity.due_at:
        errors.setdefault("remind_at", []).append(_("The reminder must come before it is due."))
    if activity.kind == ActivityKind.TASK and activity.due_at is None:
        errors.setdefault("due_at", []).append(_("A task needs a due time."))
    if errors:
        raise ValidationError(errors)
    activity.full_clean(exclude=["owner", "account", "target_type", "created_by"],
                        validate_constraints=False)


def _after_activity(activity: Activity, actor: User | None) -> None:
    """Side effects of a finished activity: the account's and lead's "last activity", and a
    note to the account's team."""
    when = activity.done_at or activity.occurred_at
    if activity.account_id is not None:
        account = Account.objects.get(pk=activity.account_id)
        account_touch_activity(account=account, when=when)
    target_model = (activity.target_type.model_class() if activity.target_type is not None
                    else None)
    if (target_model is not None and activity.target_id is not None
            and target_key_of(target_model) == "lead"):
        try:
            from crm.leads.services import lead_record_activity
        except ImportError:  # leads not installed: nothing to score
            pass
        else:
            lead_record_activity(lead_id=activity.target_id, at=when)


def _notify_team(activity: Activity, actor: User | None) -> None:
    if activity.account_id is None:
        return
    account = activity.account or Account.objects.get(pk=activity.account_id)
    who = actor.display_name if actor is not None else _("Someone")
    message = _("%(who)s added a %(kind)s on %(account)s: %(subject)s") % {
        "who": who, "kind": activity.get_kind_display().lower(), "account": account.name,
        "subject": activity.subject,
    }
    account_team_notify(account=account, actor=actor, message=message,
                        url=activity_url(activity), verb="activity")


@transaction.atomic
def activity_create(
    *, actor: User | None, kind: str, subject: str, target: models.Model | None = None,
    notes: str = "", owner: User | None = None, occurred_at: datetime | None = None,
    due_at: datetime | None = None, remind_at: datetime | None = None,
    duration_minutes: int | None = None, done: bool | None = None,
) -> Activity:
    """A new activity. Tasks stay open until completed; calls, visits and meetings planned
    for the future stay open too, while anything else is recorded as done. Done activities
    on an account touch its last-activity time; every new activity on an account tells the
    account's team."""
    _require_edit(actor)
    owner = owner if owner is not None else actor
    _check_owner(actor=actor, owner=owner)
    now = timezone.now()
    occurred_at = occurred_at or now
    if done is None:
        planned = kind in PLANNABLE_KINDS and due_at is not None and due_at > now
        done = kind != ActivityKind.TASK and not planned
    activity = Activity(
        kind=kind, subject=(subject or "").strip(), notes=notes or "", owner=owner,
        occurred_at=occurred_at, due_at=due_at, remind_at=remind_at,
        duration_minutes=duration_minutes, created_by=actor,
        done_at=occurred_at if done else None,
    )
    if target is not None:
        if target_key_of(target) is None:
            raise ValidationError({"target": _("Activities cannot be attached to this record.")})
        activity.target = target
        activity.account_id = account_id_of(target)
    _validate(activity)
    activity.save()
    if activity.done_at is not None:
        _after_activity(activity, actor)
    _notify_team(activity, actor)
    return activity


def activity_log(
    *, actor: User | None, kind: str, subject: str, target: models.Model | None = None,
    notes: str = "", occurred_at: datetime | None = None, duration_minutes: int | None = None,
) -> Activity:
    """Record something that happened (a call made, a meeting held, a daily sales log)."""
    if kind == ActivityKind.TASK:
        raise ValidationError({"kind": _("Tasks are planned, not logged.")})
    return activity_create(actor=actor, kind=kind, subject=subject, target=target, notes=notes,
                           occurred_at=occurred_at, duration_minutes=duration_minutes, done=True)


def _may_change(actor: User | None, activity: Activity) -> bool:
    if actor is None:
        return True
    if not can(actor, Capability.EDIT_RECORDS):
        return False
    return activity.owner_id in {actor.pk, None} or can(actor, Capability.ASSIGN_RECORDS)


@transaction.atomic
def activity_complete(*, activity: Activity, actor: User | None,
                      now: datetime | None = None) -> Activity:
    """Mark an open activity done (idempotent: completing twice changes nothing)."""
    if not _may_change(actor, activity):
        raise PermissionDenied(_("Only the owner or a manager may complete this activity."))
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.done_at is not None:
        return activity
    activity.done_at = now or timezone.now()
    activity.save(update_fields=["done_at", "updated_at"])
    _after_activity(activity, actor)
    return activity


def _coordinate(value: Any, *, name: str, low: int, high: int) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({name: _("Enter a number.")}) from None
    if not number.is_finite() or number < low or number > high:
        raise ValidationError(
            {name: _("Must be between %(low)s and %(high)s.") % {"low": low, "high": high}}
        )
    return number.quantize(Decimal("0.000001"))


def clean_coordinates(latitude: Any, longitude: Any) -> tuple[Decimal, Decimal]:
    """Latitude in [-90, 90] and longitude in [-180, 180], or a ValidationError naming each
    bad field."""
    errors: dict[str, Any] = {}
    values: dict[str, Decimal] = {}
    for name, value, low, high in (("latitude", latitude, -90, 90),
                                   ("longitude", longitude, -180, 180)):
        if value is None or str(value).strip() == "":
            errors[name] = [_("This field is required.")]
            continue
        try:
            values[name] = _coordinate(value, name=name, low=low, high=high)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return values["latitude"], values["longitude"]


@transaction.atomic
def visit_check_in(
    *, actor: User, latitude: Any, longitude: Any, target: models.Model | None = None,
    address: str = "", subject: str = "", notes: str = "", now: datetime | None = None,
) -> Activity:
    """Check in on a visit at a point. The account's location is learnt from its first
    check-in (a location set by hand is never overwritten)."""
    lat, lon = clean_coordinates(latitude, longitude)
    now = now or timezone.now()
    activity = activity_create(
        actor=actor, kind=ActivityKind.VISIT,
        subject=subject or (_("Visit to %(name)s") % {"name": target} if target is not None
                            else _("Visit")),
        target=target, notes=notes, occurred_at=now, done=True,
    )
    activity.latitude, activity.longitude = lat, lon
    activity.address = (address or "").strip()[:300]
    activity.checked_in_at = now
    activity.save(update_fields=["latitude", "longitude", "address", "checked_in_at",
                                 "updated_at"])
    if activity.account_id is not None:
        location = AccountLocation.objects.filter(account_id=activity.account_id).first()
        if location is None:
            AccountLocation.objects.create(account_id=activity.account_id, latitude=lat,
                                           longitude=lon, source="check_in")
        elif location.source == "check_in":
            location.latitude, location.longitude = lat, lon
            location.save(update_fields=["latitude", "longitude", "updated_at"])
    return activity


@transaction.atomic
def account_location_set(*, actor: User | None, account: Account, latitude: Any,
                         longitude: Any) -> AccountLocation:
    """Set an account's location by hand (check-ins no longer move it)."""
    _require_edit(actor)
    lat, lon = clean_coordinates(latitude, longitude)
    location, _created = AccountLocation.objects.update_or_create(
        account=account, defaults={"latitude": lat, "longitude": lon, "source": "manual"},
    )
    return location


@transaction.atomic
def activity_comment(*, activity: Activity, actor: User, body: str) -> ActivityComment:
    """A comment on an activity (a sales log, usually); its owner is told."""
    _require_edit(actor)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment first.")})
    if len(body) > 4000:
        raise ValidationError({"body": _("Keep comments under 4000 characters.")})
    comment = ActivityComment.objects.create(activity=activity, author=actor, body=body)
    if activity.owner_id is not None:
        notify(recipients=User.objects.filter(pk=activity.owner_id), actor=actor,
               verb="comment",
               message=_("%(who)s commented on %(subject)s") % {
                   "who": actor.display_name, "subject": activity.subject},
               target=activity, url=activity_url(activity))
    return comment


@dataclass(frozen=True)
class LikeResult:
    liked: bool
    created: bool
    count: int


@transaction.atomic
def activity_like(*, activity: Activity, actor: User) -> LikeResult:
    """Like an activity; liking twice is one like."""
    _require_edit(actor)
    _like, created = ActivityLike.objects.get_or_create(activity=activity, user=actor)
    return LikeResult(liked=True, created=created,
                      count=ActivityLike.objects.filter(activity=activity).count())


@transaction.atomic
def activity_unlike(*, activity: Activity, actor: User) -> LikeResult:
    _require_edit(actor)
    ActivityLike.objects.filter(activity=activity, user=actor).delete()
    return LikeResult(liked=False, created=False,
                      count=ActivityLike.objects.filter(activity=activity).count())


def send_due_reminders(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """Notify (in-app and by e-mail) the owner of every open activity whose reminder time has
    come. Each reminder goes out once: ``reminded_at`` is set in the same transaction, and
    rows locked by a concurrent run are skipped."""
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                Activity.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(remind_at__lte=now, reminded_at__isnull=True, done_at__isnull=True,
                        owner__isnull=False)
                .select_related("owner").order_by("remind_at", "id")[:batch_size]
            )
            if not batch:
                return sent
            for activity in batch:
                due = (timezone.localtime(activity.due_at).strftime("%Y-%m-%d %H:%M")
                       if activity.due_at else "")
                message = (_("Reminder: %(subject)s (due %(due)s)") % {
                    "subject": activity.subject, "due": due} if due
                    else _("Reminder: %(subject)s") % {"subject": activity.subject})
                # owner__isnull=False above: every activity of the batch has an owner.
                recipients = [activity.owner] if activity.owner is not None else []
                notify(recipients=recipients, actor=None, verb="reminder",
                       message=message, target=activity, url=activity_url(activity),
                       email=True)
            Activity.objects.filter(pk__in=[a.pk for a in batch]).update(reminded_at=now)
            sent += len(batch)
