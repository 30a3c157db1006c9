"""Customer assets, SLA policies, service contracts and service requests. Rules live in
crm.service.services (assets_from_delivery, coverage, SLA clocks, assignment, escalation);
reads in crm.service.selectors. Business-time arithmetic lives in crm.service.business_time."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Case, F, Q, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class AssetStatus(models.TextChoices):
    PENDING = "pending", _("Pending verification")
    ACTIVE = "active", _("Active")
    IN_REPAIR = "in_repair", _("In repair")
    RETIRED = "retired", _("Retired")


class Asset(models.Model):
    account = models.ForeignKey("crm_accounts.Account", on_delete=models.PROTECT,
                                related_name="assets", verbose_name=_("account"))
    product = models.ForeignKey("crm_catalog.Product", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="assets",
                                verbose_name=_("product"))
    # Third-party equipment: make and model instead of a catalog product.
    make = models.CharField(_("make"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100)
    customer_reference = models.CharField(_("customer reference"), max_length=100, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    installed_on = models.DateField(_("installed"), null=True, blank=True)
    warranty_start = models.DateField(_("warranty start"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True, db_index=True)
    warranty_policy = models.ForeignKey("SlaPolicy", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+",
                                        verbose_name=_("warranty SLA policy"))
    status = models.CharField(_("status"), max_length=12, choices=AssetStatus.choices,
                              default=AssetStatus.ACTIVE)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="components", verbose_name=_("part of"))
    notes = models.TextField(_("notes"), blank=True)
    order_line = models.ForeignKey("crm_orders.OrderLine", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="assets",
                                   verbose_name=_("delivered by"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+",
                                      verbose_name=_("registered by"))
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["account", "serial_number", "pk"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            models.UniqueConstraint(fields=["product", "serial_number"],
                                    condition=Q(product__isnull=False),
                                    name="service_asset_serial_unique_per_product"),
            models.UniqueConstraint(fields=["make", "model", "serial_number"],
                                    condition=Q(product__isnull=True),
                                    name="service_asset_serial_unique_per_model"),
            models.UniqueConstraint(fields=["external_id"],
                                    condition=Q(external_id__isnull=False),
                                    name="service_asset_external_id_unique"),
            models.CheckConstraint(condition=Q(product__isnull=False) | ~Q(model=""),
                                   name="service_asset_product_or_model"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")),
                                   name="service_asset_not_own_parent"),
        ]
        indexes = [models.Index(fields=["account", "status"]), models.Index(fields=["parent"])]

    def __str__(self) -> str:
        what = str(self.product.name) if self.product_id and self.product else \
            f"{self.make} {self.model}".strip()
        return f"{what} · {self.serial_number}"


class SlaPolicy(models.Model):
    """Targets per severity measured in business time. ``hours``: [{"weekday": 0-6 (Monday
    0), "start": "09:00", "end": "18:00"}, ...] (several intervals a day allowed; empty with
    ``around_the_clock`` for 24x7); ``holidays`` and ``extra_working_days``: ISO dates;
    ``targets``: [{"severity", "first_response_minutes", "resolution_minutes"}]."""

    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    around_the_clock = models.BooleanField(_("24x7"), default=False)
    hours = models.JSONField(_("business hours"), default=list, blank=True)
    holidays = models.JSONField(_("holidays"), default=list, blank=True)
    extra_working_days = models.JSONField(_("extra working days"), default=list, blank=True)
    targets = models.JSONField(_("targets"), default=list, blank=True)
    is_default = models.BooleanField(_("tenant default"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                               name="service_one_default_sla_policy")]

    def __str__(self) -> str:
        return self.name


class SlaSettings(models.Model):
    """The tenant's SLA settings (one row, created on first read)."""

    warning_lead_minutes = models.PositiveIntegerField(
        _("warn before breach (minutes)"), default=60,
        help_text=_("How long before a due time the assignee is warned; 0 turns warnings off."))
    renewal_reminder_days = models.PositiveIntegerField(
        _("remind of contract renewal (days before end)"), default=30)

    class Meta:
        verbose_name = _("SLA settings")
        verbose_name_plural = _("SLA settings")

    def __str__(self) -> str:
        return str(_("SLA settings"))


class ServiceContract(models.Model):
    number = models.CharField(_("number"), max_length=30, blank=True)
    account = models.ForeignKey("crm_accounts.Account", on_delete=models.PROTECT,
                                related_name="service_contracts", verbose_name=_("account"))
    # Empty: every asset of the account and of its branches.
    assets = models.ManyToManyField(Asset, blank=True, related_name="service_contracts",
                                    verbose_name=_("covered assets"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), db_index=True)
    sla_policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT,
                                   related_name="contracts", verbose_name=_("SLA policy"))
    allowance_kind = models.CharField(
        _("allowance"), max_length=10, blank=True,
        choices=[("", _("None")), ("visits", _("Visits")), ("hours", _("Hours"))])
    allowance = models.DecimalField(_("allowance amount"), max_digits=10, decimal_places=2,
                                    null=True, blank=True)
    used = models.DecimalField(_("used"), max_digits=10, decimal_places=2, default=0)
    renewal_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    order = models.ForeignKey("crm_orders.Order", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="service_contracts",
                              verbose_name=_("order"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="service_contract_period_ordered")]
        indexes = [models.Index(fields=["account", "ends_on"])]

    def __str__(self) -> str:
        return self.number or f"{self.account} {self.starts_on} to {self.ends_on}"


class ServiceQueue(models.Model):
    """Where new requests land: by category or region; round-robin among available agents.
    Escalations at breach go to the queue's manager."""

    name = models.CharField(_("name"), max_length=100)
    categories = ArrayField(models.CharField(max_length=100), default=list, blank=True,
                            verbose_name=_("categories"))
    region = models.CharField(_("region"), max_length=100, blank=True)
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="managed_service_queues",
                                verbose_name=_("manager"))
    agents = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                    related_name="service_queues", verbose_name=_("agents"))
    # The last agent given a request by round-robin (the next one is the following agent).
    last_assigned = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+",
                                      editable=False)
    is_default = models.BooleanField(_("default queue"), default=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("service queue")
        verbose_name_plural = _("service queues")

    def __str__(self) -> str:
        return self.name


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class RequestStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    STAFF = "staff", _("Staff")


OPEN_STATUSES = [RequestStatus.NEW, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS,
                 RequestStatus.WAITING_ON_CUSTOMER]


class ServiceRequest(models.Model):
    number = models.CharField(_("number"), max_length=30, unique=True)
    account = models.ForeignKey("crm_accounts.Account", on_delete=models.PROTECT,
                                related_name="service_requests", verbose_name=_("account"))
    contact = models.ForeignKey("crm_accounts.Contact", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="service_requests",
                                verbose_name=_("contact"))
    asset = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="service_requests", verbose_name=_("asset"))
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices,
                                default=Severity.NORMAL)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices,
                               default=Channel.STAFF)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices,
                              default=RequestStatus.NEW)
    queue = models.ForeignKey(ServiceQueue, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="requests", verbose_name=_("queue"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="assigned_requests",
                                 verbose_name=_("assignee"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    sla_policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="requests", verbose_name=_("SLA policy"))
    reported_at = models.DateTimeField(_("reported"))
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    paused_at = models.DateTimeField(_("clock paused"), null=True, blank=True)
    # The earliest moment the escalation sweep must look at this request again (warning or
    # breach); NULL when nothing is pending. The sweep's one indexed query reads it.
    next_sla_check_at = models.DateTimeField(null=True, blank=True, editable=False)
    breached = models.BooleanField(_("SLA breached"), default=False)
    # The next due time the agent works against: the first-response due time while nobody
    # has answered, then the resolution due time. Computed by PostgreSQL, so the agent queue
    # sorts on an index whatever writes the clocks.
    due_at = models.GeneratedField(
        expression=Case(When(first_response_at__isnull=True,
                             then=Coalesce(F("first_response_due"), F("resolution_due"))),
                        default=F("resolution_due")),
        output_field=models.DateTimeField(), db_persist=True, verbose_name=_("due"))
    rating_score = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    rating_remark = models.TextField(_("satisfaction remark"), blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    # Per clock: whether it was missed, and when the warning / the escalation went out (each
    # once). Kept by crm.service.clocks and the escalation sweep only.
    first_response_breached = models.BooleanField(_("first response late"), default=False,
                                                  editable=False)
    resolution_breached = models.BooleanField(_("resolution late"), default=False,
                                              editable=False)
    first_response_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_response_escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        indexes = [
            models.Index(fields=["assignee", "status", "-reported_at"]),
            models.Index(fields=["account", "-reported_at"]),
            models.Index(fields=["status", "-reported_at"]),
            models.Index(fields=["next_sla_check_at"], condition=Q(next_sla_check_at__isnull=False),
                         name="service_request_sla_check_due"),
            # The agent queue: open requests by assignee, and unassigned ones by queue, by due.
            models.Index(fields=["assignee", "due_at", "id"], condition=Q(status__in=OPEN_STATUSES),
                         name="service_req_open_by_agent"),
            models.Index(fields=["queue", "due_at", "id"],
                         condition=Q(status__in=OPEN_STATUSES, assignee__isnull=True),
                         name="service_req_open_unassigned"),
            models.Index(fields=["asset", "-reported_at"], name="service_req_by_asset"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(rating_score__isnull=True)
                           | Q(rating_score__gte=1, rating_score__lte=5)),
                name="service_request_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.subject}"


class ServiceSettings(models.Model):
    """The tenant's service settings (one row, pk 1, read through ``current()``)."""

    reopen_days = models.PositiveSmallIntegerField(
        _("reopen window (days)"), default=14,
        help_text=_("How many days after resolution a request may still be reopened."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service settings")
        verbose_name_plural = _("service settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1),
                                              name="service_settings_singleton")]

    def __str__(self) -> str:
        return str(_("Service settings"))

    @classmethod
    def current(cls) -> "ServiceSettings":
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class AgentAvailability(models.Model):
    """Whether a service agent takes new requests by round-robin (no row: available)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="service_availability", primary_key=True)
    available = models.BooleanField(_("available for new requests"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agent availability")
        verbose_name_plural = _("agent availability")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.available}"


class StatusChange(models.Model):
    """One step of a request's status history (the first row has no ``from_status``)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE,
                                related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=RequestStatus.choices,
                                   blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=RequestStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"))
    # When the customer's e-mail about this change went out (once; portal notifications).
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [models.Index(fields=["request", "at"])]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class ServiceComment(models.Model):
    """A comment on a request: public ones are shown to the customer (portal, e-mail),
    internal ones only to staff."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE,
                                related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    by_staff = models.BooleanField(default=True)
    public = models.BooleanField(_("visible to the customer"), default=False)
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created"))
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self) -> str:
        return self.body[:50]


class WorkLogKind(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    REMOTE = "remote", _("Remote")


class WorkLog(models.Model):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE,
                                related_name="work_logs")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("agent"))
    kind = models.CharField(_("kind"), max_length=10, choices=WorkLogKind.choices)
    performed_on = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("time spent (minutes)"))
    description = models.TextField(_("work done"), blank=True)
    contract = models.ForeignKey(ServiceContract, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="work_logs",
                                 verbose_name=_("drawn from contract"))
    drawn = models.DecimalField(_("allowance used"), max_digits=10, decimal_places=2,
                                null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["performed_on", "pk"]
        verbose_name = _("work log")
        verbose_name_plural = _("work logs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.minutes} min"


class WorkLogPart(models.Model):
    work_log = models.ForeignKey(WorkLog, on_delete=models.CASCADE, related_name="parts")
    product = models.ForeignKey("crm_catalog.Product", on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("part"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0),
                                              name="service_work_log_part_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.product_id} x {self.quantity}"
