"""Leads (interest not yet qualified), the campaigns that bring them, and the tenant's rules
that score and route them. Rules live in crm.leads.services; reads in crm.leads.selectors."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LeadSource(models.TextChoices):
    PORTAL_INQUIRY = "portal_inquiry", _("Portal inquiry")
    WEB_FORM = "web_form", _("Web form")
    IMPORT = "import", _("Import")
    TRADE_SHOW = "trade_show", _("Trade show")
    CAMPAIGN = "campaign", _("Campaign")
    REFERRAL = "referral", _("Referral")
    MANUAL = "manual", _("Manual entry")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    WORKING = "working", _("Working")
    NURTURING = "nurturing", _("Nurturing")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    CONVERTED = "converted", _("Converted")


# Statuses a person may set by editing a lead; the other two have their own services
# (lead_disqualify needs a reason, lead_convert creates the account/contact/opportunity).
EDITABLE_STATUSES = (LeadStatus.NEW, LeadStatus.WORKING, LeadStatus.NURTURING,
                     LeadStatus.QUALIFIED)
OPEN_STATUSES = EDITABLE_STATUSES


class CampaignType(models.TextChoices):
    TRADE_SHOW = "trade_show", _("Trade show")
    WEBINAR = "webinar", _("Webinar")
    EMAIL = "email", _("E-mail")
    ADVERTISING = "advertising", _("Advertising")
    OTHER = "other", _("Other")


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    type = models.CharField(
        _("type"), max_length=20, choices=CampaignType.choices, default=CampaignType.OTHER
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, default=0,
        validators=[MinValueValidator(0)],
    )
    actual_cost = models.DecimalField(
        _("actual cost"), max_digits=14, decimal_places=2, default=0,
        validators=[MinValueValidator(0)],
    )
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_campaigns", verbose_name=_("owner"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="campaign_end_after_start",
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="campaign_budget_positive"),
            models.CheckConstraint(
                condition=Q(actual_cost__gte=0), name="campaign_actual_cost_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Lead(models.Model):
    source = models.CharField(
        _("source"), max_length=20, choices=LeadSource.choices, default=LeadSource.MANUAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    disqualified_reason = models.CharField(_("disqualification reason"), max_length=300,
                                           blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    message = models.TextField(_("message"), blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="owned_leads", verbose_name=_("owner"),
        help_text=_("Empty while the lead waits in the unassigned queue."),
    )
    score = models.IntegerField(_("score"), default=0)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads",
        verbose_name=_("campaign"),
    )
    converted_account = models.ForeignKey(
        "crm_accounts.Account", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="source_leads", verbose_name=_("converted to account"),
    )
    converted_contact = models.ForeignKey(
        "crm_accounts.Contact", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="source_leads", verbose_name=_("converted to contact"),
    )
    converted_opportunity = models.ForeignKey(
        "crm_sales.Opportunity", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="source_leads", verbose_name=_("converted to opportunity"),
    )
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="disqualified") | ~Q(disqualified_reason=""),
                name="lead_disqualified_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="converted") | Q(converted_at__isnull=False),
                name="lead_converted_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["campaign", "status"]),
        ]

    def __str__(self) -> str:
        person = self.person_name
        if self.company and person:
            return f"{person} ({self.company})"
        return self.company or person or f"#{self.pk}"

    @property
    def person_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_converted(self) -> bool:
        return self.status == LeadStatus.CONVERTED


class ScoringCriterion(models.TextChoices):
    SOURCE_IS = "source_is", _("Source is")
    FIELD_FILLED = "field_filled", _("Field is filled in")
    FIELD_CONTAINS = "field_contains", _("Field contains")
    RECENT_ACTIVITY = "recent_activity", _("Activity within the last N days")
    HAS_CAMPAIGN = "has_campaign", _("Came from a campaign")


# Lead fields a scoring rule may look at (completeness and text matches).
SCORABLE_FIELDS = (
    ("company", _("Company")),
    ("first_name", _("First name")),
    ("last_name", _("Last name")),
    ("title", _("Title")),
    ("phone", _("Phone")),
    ("email", _("E-mail")),
    ("message", _("Message")),
    ("region", _("Region")),
)


class ScoringRule(models.Model):
    """One line of the tenant's scoring table: when the condition holds, add ``points``
    (negative points lower the score). A lead's score is the sum over active rules."""

    name = models.CharField(_("name"), max_length=120)
    criterion = models.CharField(_("condition"), max_length=20, choices=ScoringCriterion.choices)
    field = models.CharField(_("field"), max_length=20, choices=SCORABLE_FIELDS, blank=True)
    # The source for SOURCE_IS, the text for FIELD_CONTAINS, the days for RECENT_ACTIVITY.
    value = models.CharField(_("value"), max_length=120, blank=True)
    points = models.IntegerField(_("points"))
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")

    def __str__(self) -> str:
        return f"{self.name} ({self.points:+d})"


class AssignmentStrategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round-robin within a team")
    REGION = "region", _("Round-robin within the team of the lead's region")
    USER = "user", _("A named user")
    QUEUE = "queue", _("The unassigned queue")


class AssignmentRule(models.Model):
    """Where a new lead goes. Rules are tried in ``order``; the first whose conditions all
    hold (empty conditions match anything) decides. No matching rule: the queue."""

    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    strategy = models.CharField(_("assign to"), max_length=20, choices=AssignmentStrategy.choices)
    match_region = models.CharField(_("when region is"), max_length=100, blank=True)
    match_source = models.CharField(
        _("when source is"), max_length=20, choices=LeadSource.choices, blank=True
    )
    team = models.ForeignKey(
        "crm_core.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("team"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", verbose_name=_("user"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        constraints = [
            models.CheckConstraint(
                condition=~Q(strategy="round_robin") | Q(team__isnull=False),
                name="assignment_round_robin_has_team",
            ),
            models.CheckConstraint(
                condition=~Q(strategy="user") | Q(user__isnull=False),
                name="assignment_user_has_user",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RoundRobinState(models.Model):
    """The last member of a team who got a lead; locked while the next one is picked so two
    leads arriving at once go to two different people."""

    team = models.OneToOneField(
        "crm_core.Team", on_delete=models.CASCADE, related_name="lead_round_robin"
    )
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.team_id}: {self.last_user_id}"
