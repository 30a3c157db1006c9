"""Pipelines, stages with key actions, opportunities and their stage history.

Rules live in crm.sales.services (moving stages, key-action gating, won/lost); reads in
crm.sales.selectors (visibility, forecast, account roll-ups).
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import BuyingRole


class Pipeline(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    is_default = models.BooleanField(_("default pipeline"), default=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        constraints = [
            # At most one default pipeline per tenant.
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="pipeline_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.CASCADE, related_name="stages", verbose_name=_("pipeline")
    )
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    is_won = models.BooleanField(_("won stage"), default=False)
    is_lost = models.BooleanField(_("lost stage"), default=False)

    class Meta:
        ordering = ["pipeline", "order", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_name_unique"),
            models.CheckConstraint(
                condition=Q(probability__lte=100), name="stage_probability_0_100"
            ),
            models.CheckConstraint(
                condition=~(Q(is_won=True) & Q(is_lost=True)), name="stage_not_won_and_lost"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost


class KeyAction(models.Model):
    """One checklist item of a stage; required items must be done before a deal moves on."""

    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="key_actions", verbose_name=_("stage")
    )
    label = models.CharField(_("label"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["stage", "order", "id"]
        verbose_name = _("key action")
        verbose_name_plural = _("key actions")

    def __str__(self) -> str:
        return self.label


class Opportunity(models.Model):
    account = models.ForeignKey(
        "crm_accounts.Account", on_delete=models.PROTECT, related_name="opportunities",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, default=0,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(_("currency"), max_length=3)
    close_date = models.DateField(_("expected close date"), db_index=True)
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="opportunities",
        verbose_name=_("pipeline"),
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("stage")
    )
    # Copied from the stage on every move unless a person set it by hand.
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    probability_overridden = models.BooleanField(_("probability set by hand"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="owned_opportunities", verbose_name=_("owner"),
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="OpportunityTeamMember", related_name="opportunity_teams",
        blank=True, verbose_name=_("team"),
    )
    contacts = models.ManyToManyField(
        "crm_accounts.Contact", through="OpportunityContact", related_name="opportunities",
        blank=True, verbose_name=_("buying committee"),
    )
    competitors = ArrayField(
        models.CharField(max_length=120), default=list, blank=True, verbose_name=_("competitors")
    )
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__lte=100), name="opportunity_probability_0_100"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="opportunity_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["owner", "-updated_at"]),
            models.Index(fields=["stage", "-updated_at"]),
            models.Index(fields=["account", "closed_at"]),
            models.Index(fields=["closed_at", "close_date"]),
            # Reports (crm.reports) at 1M deals, measured by benchmarks/reports_bench.py:
            # the open pipeline by expected close date, deals closed in a period and the
            # deals created in a period, each answered from the index alone.
            models.Index(fields=["close_date"], condition=Q(closed_at__isnull=True),
                         include=["pipeline", "stage", "owner", "currency", "amount",
                                  "probability"], name="opportunity_open_close_idx"),
            models.Index(fields=["closed_at"], condition=Q(closed_at__isnull=False),
                         include=["pipeline", "stage", "owner", "currency", "amount",
                                  "created_at"], name="opportunity_closed_at_idx"),
            models.Index(fields=["pipeline", "created_at"], include=["owner"],
                         name="opportunity_created_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def weighted_amount(self) -> Decimal:
        return self.amount * self.probability / 100


class OpportunityTeamRole(models.TextChoices):
    SUPPORT = "support", _("Sales support")
    PRESALES = "presales", _("Pre-sales / technical")
    EXECUTIVE = "executive", _("Executive sponsor")
    SERVICE = "service", _("Service")
    OTHER = "other", _("Other")


class OpportunityTeamMember(models.Model):
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="team_members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opportunity_memberships"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=OpportunityTeamRole.choices,
        default=OpportunityTeamRole.SUPPORT,
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "user"], name="opportunity_team_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.opportunity_id} ({self.role})"


class OpportunityContact(models.Model):
    """A contact's place in this deal's buying committee (it may differ from the account's)."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="committee"
    )
    contact = models.ForeignKey(
        "crm_accounts.Contact", on_delete=models.CASCADE, related_name="opportunity_roles"
    )
    role = models.CharField(_("role in this deal"), max_length=20, blank=True,
                            choices=BuyingRole.choices)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "contact"], name="opportunity_contact_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} in {self.opportunity_id}"


class OpportunityKeyAction(models.Model):
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="key_action_states"
    )
    key_action = models.ForeignKey(KeyAction, on_delete=models.CASCADE, related_name="+")
    done = models.BooleanField(default=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "key_action"], name="opportunity_key_action_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key_action_id} on {self.opportunity_id}: {self.done}"


class StageHistory(models.Model):
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_history"
    )
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set on the entry a manager forced past unmet key actions of the previous stage.
    overridden = models.BooleanField(default=False)
    override_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["opportunity", "entered_at", "id"]
        indexes = [
            models.Index(fields=["opportunity", "entered_at"]),
            # The funnel's conversion reads (deal, stage) pairs from the index alone.
            models.Index(fields=["opportunity", "stage"], name="stagehistory_opp_stage_idx"),
        ]
        verbose_name = _("stage history entry")
        verbose_name_plural = _("stage history")

    def __str__(self) -> str:
        return f"{self.opportunity_id} in {self.stage_id} since {self.entered_at:%Y-%m-%d}"

    @property
    def duration(self) -> timedelta:
        return (self.left_at or timezone.now()) - self.entered_at
