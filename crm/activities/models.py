"""Activities: calls, visits (with check-in), meetings, tasks with reminders and sales logs
(with comments and likes), attached to any CRM record through a generic target plus a
direct ``account`` link for fast account timelines. Rules live in crm.activities.services;
reads in crm.activities.selectors."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    MEETING = "meeting", _("Meeting")
    TASK = "task", _("Task")
    LOG = "log", _("Sales log")


class Activity(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=ActivityKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="activities", verbose_name=_("owner"),
    )
    # The account the activity counts for (the target itself, or the target's account):
    # account timelines and "last activity" read this column, not the generic target.
    account = models.ForeignKey(
        "crm_accounts.Account", null=True, blank=True, on_delete=models.CASCADE,
        related_name="activities", verbose_name=_("account"),
    )
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
    )
    target_id = models.BigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    # When it happened (calls, visits, meetings, logs) or was created (tasks).
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), null=True, blank=True, validators=[MaxValueValidator(24 * 60)]
    )
    # Visit check-in.
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["account", "-occurred_at"]),
            models.Index(fields=["target_type", "target_id", "-occurred_at"]),
            models.Index(fields=["owner", "kind", "-occurred_at"]),
            models.Index(fields=["owner", "due_at"], condition=Q(done_at__isnull=True),
                         name="activity_open_due"),
            models.Index(fields=["remind_at"],
                         condition=Q(reminded_at__isnull=True, done_at__isnull=True,
                                     remind_at__isnull=False),
                         name="activity_pending_reminder"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True)
                | (Q(latitude__gte=-90) & Q(latitude__lte=90)),
                name="activity_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True)
                | (Q(longitude__gte=-180) & Q(longitude__lte=180)),
                name="activity_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(target_type__isnull=True, target_id__isnull=True)
                | Q(target_type__isnull=False, target_id__isnull=False),
                name="activity_target_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_open(self) -> bool:
        return self.done_at is None


class ActivityComment(models.Model):
    """A colleague's comment on a sales log."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
    )
    body = models.TextField(_("comment"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["activity", "created_at"])]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]


class ActivityLike(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="activity_like_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.activity_id}"


class AccountLocation(models.Model):
    """Where an account is (accounts carry no coordinates): set by visit check-ins on the
    account, editable by hand. Nearby-account search runs on this table."""

    account = models.OneToOneField(
        "crm_accounts.Account", on_delete=models.CASCADE, related_name="location",
        primary_key=True,
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    source = models.CharField(max_length=20, default="check_in")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("account location")
        verbose_name_plural = _("account locations")
        indexes = [models.Index(fields=["latitude", "longitude"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90) & Q(latitude__lte=90)
                & Q(longitude__gte=-180) & Q(longitude__lte=180),
                name="account_location_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.latitude}, {self.longitude}"
