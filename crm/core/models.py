"""Cross-cutting CRM records: regions, teams (read by the visibility layer), the audit log (field
history of every audited record) and in-app notifications (the one notification path)."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from crm.core.storage import protected_storage


class Region(models.Model):
    """The tenant's list of regions and territories (a territory is a region with a parent).
    Accounts, leads, assignment rules and teams pick from it (crm.core.regions)."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="territories",
        verbose_name=_("part of region"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="region_name_unique_ci"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")),
                                   name="region_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamQuerySet(models.QuerySet["Team"]):
    def active(self) -> "TeamQuerySet":
        """Teams that count: archived teams widen no one's visibility."""
        return self.filter(archived_at__isnull=True)


class Team(models.Model):
    """A sales team: several managers, several members; a user may be in several teams.
    Changed only through crm.core.teams; archived instead of deleted."""

    name = models.CharField(_("name"), max_length=120)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams",
        verbose_name=_("region"),
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="managed_teams", blank=True,
        verbose_name=_("managers"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="teams", blank=True, verbose_name=_("members")
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            # An archived team frees its name for a new one.
            models.UniqueConstraint(Lower("name"), condition=Q(archived_at__isnull=True),
                                    name="team_name_unique_among_active"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class AuditEntry(models.Model):
    """Who did what to which record: field changes (old -> new) and events (merge, transfer,
    claim...). Written only through crm.core.audit."""

    # Both empty for events about no record (a failed sign-in for an unknown e-mail).
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(_("action"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # {"field": [old, new], ...} for updates; empty for pure events.
    changes = models.JSONField(default=dict, blank=True)
    # Anything else worth keeping (a merged record's data, a reason...).
    data = models.JSONField(default=dict, blank=True)
    # Client address of the request the entry was written in (none for tasks and shells).
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-created_at"]),
            # The administrative log filters by action (prefix) and pages by id.
            models.Index(fields=["action", "-id"], name="crm_core_audit_action_id",
                         opclasses=["varchar_pattern_ops", "int8_ops"]),
            models.Index(fields=["actor", "-id"], name="crm_core_audit_actor_id"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.action} {self.content_type_id}:{self.object_id}"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    verb = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.BigIntegerField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.message


def _attachment_path(attachment: "Attachment", filename: str) -> str:
    # A random folder per file: even the storage path is not guessable.
    return f"attachments/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    """A file attached to a record (an account, later a service request...). Stored in the
    tenant's protected storage and served only by crm.core.files, to viewers who may see the
    record it is attached to."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    file = models.FileField(_("file"), upload_to=_attachment_path, storage=protected_storage,
                            max_length=300)
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class DocumentCounter(models.Model):
    """The last number handed out per document prefix and year (Q-2026-00042, SR-2026-00042).
    Only crm.core.numbering writes it, with one upsert that locks the row."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="core_document_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_value}"


class ApprovalDecision(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Approval(models.Model):
    """One step of one approval request on any record (a quote's discount, an order's chain
    step, an expense). Written only by crm.core.approvals; the record's own service decides
    what the steps are and who may approve them."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    # Every submission of the record is a new round; earlier rounds stay as the trail.
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    step = models.PositiveSmallIntegerField(_("step"), default=1)
    step_label = models.CharField(_("step"), max_length=100, blank=True)
    # Who may decide: explicit users; whoever decides is recorded in decided_by.
    candidates = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="approval_inbox",
                                        blank=True, verbose_name=_("approvers"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=ApprovalDecision.choices,
                                default=ApprovalDecision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("approver"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["content_type", "object_id", "round", "step", "pk"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        indexes = [
            models.Index(fields=["content_type", "object_id", "round", "step"]),
            models.Index(fields=["decision", "requested_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} round {self.round} step {self.step}"
