"""Public schema: companies (tenants), their host names, provisioning jobs, operator audit."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class TenantStatus(models.TextChoices):
    PROVISIONING = "provisioning", _("Provisioning")
    TRIAL = "trial", _("Trial")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Past due")
    READ_ONLY = "read_only", _("Read-only")
    SUSPENDED = "suspended", _("Suspended")
    ARCHIVED = "archived", _("Archived")


# Hosts of tenants in these states do not serve the product (a clear page instead).
CLOSED_STATUSES = frozenset({TenantStatus.SUSPENDED, TenantStatus.ARCHIVED})
# Tenants whose periodic work (reclaim, SLA, reminders) runs.
LIVE_STATUSES = frozenset(
    {TenantStatus.TRIAL, TenantStatus.ACTIVE, TenantStatus.PAST_DUE, TenantStatus.READ_ONLY}
)


class TenantKind(models.TextChoices):
    PUBLIC = "public", _("Public schema")
    CUSTOMER = "customer", _("Customer")
    # The migrated schema new tenants are cloned from; a real row so migrate_schemas keeps it
    # current, never given a domain.
    TEMPLATE = "template", _("Template")
    # A pre-cloned schema waiting in the warm pool; renamed and filled in at sign-up.
    SPARE = "spare", _("Warm spare")


class Tenant(TenantMixin):
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("company name"), max_length=200)
    kind = models.CharField(max_length=16, choices=TenantKind.choices, default=TenantKind.CUSTOMER)
    status = models.CharField(
        _("status"), max_length=20, choices=TenantStatus.choices, default=TenantStatus.PROVISIONING
    )
    plan_code = models.CharField(_("plan"), max_length=40, default="starter")
    trial_ends_at = models.DateTimeField(_("trial ends"), null=True, blank=True)
    # Default currency and locale of the company; money, dates and names follow them.
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    language = models.CharField(_("language"), max_length=10, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # Active staff users, recorded by tenants.tasks.record_seat_usage (billing reads it).
    seats_used = models.PositiveIntegerField(_("seats used"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Schemas are created by tenants.provisioning (clone or warm pool), never on save().
    auto_create_schema = False
    auto_drop_schema = True

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_read_only(self) -> bool:
        return self.status == TenantStatus.READ_ONLY

    @property
    def primary_host(self) -> str:
        return f"{self.slug}.{settings.PLATFORM_DOMAIN}"


class Domain(DomainMixin):
    class Meta:
        ordering = ["-is_primary", "domain"]


class ProvisioningJob(models.Model):
    """One sign-up's provisioning, watched by the signer on the progress page."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Setting up")
        SUCCEEDED = "succeeded", _("Ready")
        FAILED = "failed", _("Failed")

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    slug = models.CharField(max_length=40)
    admin_email = models.EmailField()
    # What the sign-up asked for, kept so a failed job can be retried (its Tenant row is
    # removed on failure).
    company_name = models.CharField(max_length=200, blank=True)
    plan_code = models.CharField(max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    # Only the hash travels (through the database, never through the broker).
    admin_password_hash = models.CharField(max_length=256, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    steps_total = models.PositiveSmallIntegerField(default=0)
    steps_done = models.PositiveSmallIntegerField(default=0)
    current_step = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    used_warm_spare = models.BooleanField(default=False)
    seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.slug}: {self.state}"

    @property
    def percent(self) -> int:
        if self.state == self.State.SUCCEEDED:
            return 100
        if not self.steps_total:
            return 0
        return int(100 * self.steps_done / self.steps_total)


class OperatorAction(models.Model):
    """Audit of what platform operators did: to tenants (suspend, reactivate, grace, plan,
    domain...) and to platform-wide records such as plans (``tenant`` empty, ``target`` set)."""

    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="operator_actions")
    # What the action was about when it is not a tenant ("plan growth").
    target = models.CharField(max_length=100, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    reason = models.TextField(blank=True)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} {self.tenant_id}"


class StatusCause(models.TextChoices):
    """Who moved a tenant's status (tenants.status.tenant_status_transition)."""

    OPERATOR = "operator", _("Operator")
    BILLING = "billing", _("Billing")
    PROVISIONING = "provisioning", _("Provisioning")
    # The clock: scheduled work (an ended trial or grace period), not a Stripe fact.
    SYSTEM = "system", _("System")


class TenantStatusChange(models.Model):
    """Every change of a tenant's status, with its cause: written only by
    tenants.status.tenant_status_transition."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=TenantStatus.choices)
    to_status = models.CharField(max_length=20, choices=TenantStatus.choices)
    cause = models.CharField(max_length=16, choices=StatusCause.choices)
    # A platform operator (public schema) when one acted; tenant staff by e-mail only.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_email = models.EmailField(blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.from_status} -> {self.to_status} ({self.cause})"


class TenantDeletion(models.Model):
    """What is left of a deleted tenant in the public schema: who deleted which workspace,
    why, and where its final export is kept. No foreign key to the tenant (it is gone)."""

    tenant_pk = models.BigIntegerField(_("tenant id"))
    slug = models.SlugField(_("slug"), max_length=40)
    name = models.CharField(_("company name"), max_length=200)
    schema_name = models.CharField(max_length=63)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    operator_email = models.EmailField(blank=True)
    reason = models.TextField()
    # The final export's archive, moved out of the tenant's folder before the schema was
    # dropped: a path under PRIVATE_MEDIA_ROOT.
    export_file = models.CharField(max_length=500)
    export_size_bytes = models.BigIntegerField(null=True, blank=True)
    export_finished_at = models.DateTimeField(null=True, blank=True)
    # The tenant's operator audit trail, copied before its rows went with the tenant.
    operator_actions = models.JSONField(default=list, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), auto_now_add=True)

    class Meta:
        ordering = ["-deleted_at"]

    def __str__(self) -> str:
        return f"{self.slug} deleted {self.deleted_at:%Y-%m-%d}"
