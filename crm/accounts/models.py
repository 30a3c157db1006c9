"""Accounts (companies, with a parent/child hierarchy) and their contacts (the buying
committee). Rules live in crm.accounts.services; reads in crm.accounts.selectors."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AccountType(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    PARTNER = "partner", _("Partner")
    COMPETITOR = "competitor", _("Competitor")


class AccountTier(models.TextChoices):
    KEY = "key", _("Key account")
    A = "a", _("A")
    B = "b", _("B")
    C = "c", _("C")


class Account(models.Model):
    name = models.CharField(_("name"), max_length=200)
    # Normalised name (case, width, punctuation, legal suffixes, aliases): exact-duplicate
    # lookups and trigram similarity run on it. Set by crm.accounts.services only.
    name_normalized = models.CharField(max_length=200, db_index=True, editable=False)
    type = models.CharField(
        _("type"), max_length=20, choices=AccountType.choices, default=AccountType.PROSPECT
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    region = models.CharField(_("region / territory"), max_length=100, blank=True, db_index=True)
    tier = models.CharField(_("tier"), max_length=10, choices=AccountTier.choices, blank=True)
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True,
                      verbose_name=_("tags"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Digits only, for duplicate matching on phone.
    phone_normalized = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    website = models.CharField(_("website"), max_length=200, blank=True)
    # "example.com" from the website or e-mail addresses, for duplicate matching.
    domain = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="owned_accounts", verbose_name=_("owner"),
        help_text=_("Empty when the account sits in a shared pool."),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name=_("parent account"),
    )
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True)
    value_score = models.PositiveSmallIntegerField(
        _("value score"), default=0, validators=[MaxValueValidator(100)]
    )
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=Q(external_id__isnull=False),
                name="account_external_id_unique",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="account_not_own_parent"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-updated_at"]),
            models.Index(fields=["parent"]),
            GinIndex(fields=["tags"], name="account_tags_gin"),
        ]

    def __str__(self) -> str:
        return self.name


class AccountTeamRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    SUPPORT = "support", _("Sales support")
    TECHNICAL = "technical", _("Technical")
    SERVICE = "service", _("Service")


class AccountTeamMember(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_teams"
    )
    role = models.CharField(_("role"), max_length=20, choices=AccountTeamRole.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="account_team_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.account_id} ({self.role})"


class NameAlias(models.Model):
    """A tenant's abbreviation table: 工行 = 工商银行, IBM = International Business Machines."""

    alias = models.CharField(_("abbreviation"), max_length=100, unique=True)
    canonical = models.CharField(_("stands for"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["alias"]
        verbose_name = _("name alias")
        verbose_name_plural = _("name aliases")

    def __str__(self) -> str:
        return f"{self.alias} = {self.canonical}"


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    EVALUATOR = "evaluator", _("Evaluator")
    USER = "user", _("User")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")
    OTHER = "other", _("Other")


class Attitude(models.TextChoices):
    SUPPORTER = "supporter", _("Supporter")
    NEUTRAL = "neutral", _("Neutral")
    OPPONENT = "opponent", _("Opponent")


class Contact(models.Model):
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("account")
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    title = models.CharField(_("title"), max_length=120, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    buying_role = models.CharField(
        _("buying role"), max_length=20, choices=BuyingRole.choices, default=BuyingRole.OTHER
    )
    influence = models.PositiveSmallIntegerField(
        _("influence"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    attitude = models.CharField(
        _("attitude"), max_length=20, choices=Attitude.choices, default=Attitude.NEUTRAL
    )
    reports_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports",
        verbose_name=_("reports to"),
    )
    # Who on our side covers this person.
    covered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="covered_contacts", verbose_name=_("covered by"),
    )
    # The integrator's id (ERP, marketing system): PUT /api/v1/contacts/external/{id}/.
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.CheckConstraint(
                condition=Q(influence__gte=1) & Q(influence__lte=5), name="contact_influence_1_5"
            ),
            models.UniqueConstraint(
                fields=["external_id"], condition=Q(external_id__isnull=False),
                name="contact_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class AccountSettings(models.Model):
    """The tenant's account settings: one row (pk=1), read through ``AccountSettings.current``."""

    duplicate_threshold = models.FloatField(
        _("duplicate similarity threshold"), default=0.4,
        validators=[MinValueValidator(0.1), MaxValueValidator(1.0)],
        help_text=_("Name similarity (0.1 to 1) from which an account counts as a likely "
                    "duplicate."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("account settings")
        verbose_name_plural = _("account settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="account_settings_singleton")]

    def __str__(self) -> str:
        return str(_("Account settings"))

    @classmethod
    def current(cls) -> "AccountSettings":
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row
