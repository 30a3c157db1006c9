"""CSV/XLSX import jobs and the column mapping each tenant last used per kind. The engine
is crm.imports.engine (run in Celery); the kinds it knows are crm.imports.kinds."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.dataexport.storage import private_tenant_storage


class ImportKind(models.TextChoices):
    ACCOUNTS = "accounts", _("Accounts")
    CONTACTS = "contacts", _("Contacts")
    LEADS = "leads", _("Leads")
    PRODUCTS = "products", _("Products")
    ASSETS = "assets", _("Assets")
    PRICE_BOOK_ENTRIES = "price_book_entries", _("Price-book entries")


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
    PER_ROW = "per_row", _("Row by row")


class DuplicateStrategy(models.TextChoices):
    SKIP = "skip", _("Skip the row")
    UPDATE = "update", _("Update the match")
    CREATE = "create", _("Create anyway")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=30, choices=ImportKind.choices)
    mode = models.CharField(_("mode"), max_length=20, choices=ImportMode.choices,
                            default=ImportMode.ALL_OR_NOTHING)
    duplicates = models.CharField(_("duplicates"), max_length=10,
                                  choices=DuplicateStrategy.choices,
                                  default=DuplicateStrategy.SKIP)
    dry_run = models.BooleanField(_("dry run"), default=False)
    file = models.FileField(_("file"), storage=private_tenant_storage, upload_to="imports/",
                            max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(max_length=4)  # csv | xlsx
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    # {"<column header in the file>": "<field key>" or ""}: what each column fills.
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed_rows = models.PositiveIntegerField(default=0)
    # [{"row", "column", "message"}], the first MAX_ERRORS of them.
    errors = models.JSONField(default=list, blank=True)
    error_file = models.FileField(storage=private_tenant_storage, upload_to="imports/",
                                  max_length=300, blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("by"))
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.kind}): {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


class ImportMapping(models.Model):
    """The mapping a tenant last confirmed for a kind, keyed by the normalised header."""

    kind = models.CharField(max_length=30, choices=ImportKind.choices, unique=True)
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("import column mapping")
        verbose_name_plural = _("import column mappings")

    def __str__(self) -> str:
        return self.kind
