"""A whole-tenant export: every table of the schema as CSV plus the uploaded files, in one
ZIP in the tenant's private storage, downloadable by admins until ``expires_at``."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.dataexport.storage import private_tenant_storage


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Being built")
    SUCCEEDED = "succeeded", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class TenantExport(models.Model):
    # Names the file, so its path cannot be guessed from the row id.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    tables_total = models.PositiveIntegerField(default=0)
    tables_done = models.PositiveIntegerField(default=0)
    files_done = models.PositiveIntegerField(default=0)
    file = models.FileField(
        _("archive"), storage=private_tenant_storage, upload_to="exports/", max_length=300,
        blank=True,
    )
    size_bytes = models.BigIntegerField(null=True, blank=True)
    # A staff admin of this tenant, or empty when a platform operator asked (operators live
    # in the public schema: no foreign key across schemas; ``requested_by_label`` says who).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("requested by"),
    )
    requested_by_label = models.CharField(max_length=254, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"export {self.pk}: {self.status}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.SUCCEEDED:
            return 100
        if not self.tables_total:
            return 0
        # Tables are the bulk of the work; the files after them take the last step.
        return min(99, int(100 * self.tables_done / (self.tables_total + 1)))

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status == ExportStatus.SUCCEEDED
            and bool(self.file)
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )

    @property
    def requester_display(self) -> str:
        if self.requested_by is not None:
            return self.requested_by.display_name
        return self.requested_by_label
