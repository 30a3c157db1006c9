"""Quotes and their lines. Rules live in crm.quotes.services (writes: totals, revisions,
discount approval, acceptance); reads in crm.quotes.selectors. Amounts are Decimal in the
quote's currency, rounded by crm.core.money (the one totals rule); stored totals are what
crm.core.money.document_totals returned when the lines last changed."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 4}
PERCENT = {"max_digits": 7, "decimal_places": 3}


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REQUESTED = "requested", _("Requested by the customer")
    PENDING_APPROVAL = "pending_approval", _("Pending approval")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded")


class Quote(models.Model):
    # Shared by every revision of one quote ("Q-2026-00042"); (number, revision) is unique.
    number = models.CharField(_("number"), max_length=30, db_index=True)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    previous_revision = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_revision",
        verbose_name=_("previous revision"),
    )
    account = models.ForeignKey("crm_accounts.Account", on_delete=models.PROTECT,
                                related_name="quotes", verbose_name=_("account"))
    opportunity = models.ForeignKey("crm_sales.Opportunity", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="quotes",
                                    verbose_name=_("opportunity"))
    contact = models.ForeignKey("crm_accounts.Contact", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="quotes",
                                verbose_name=_("contact"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="owned_quotes",
                              verbose_name=_("owner"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("author"))
    # The portal member who requested it (status "requested"), if any.
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="requested_quotes",
                                     verbose_name=_("requested by"))
    status = models.CharField(_("status"), max_length=20, choices=QuoteStatus.choices,
                              default=QuoteStatus.DRAFT)
    currency = models.CharField(_("currency"), max_length=3)
    language = models.CharField(_("language"), max_length=10, blank=True,
                                help_text=_("The language of the PDF; empty: the workspace's."))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    terms = models.TextField(_("terms"), blank=True)
    note = models.TextField(_("customer note"), blank=True)
    discount_percent = models.DecimalField(
        _("quote discount (%)"), **PERCENT, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])
    subtotal = models.DecimalField(_("subtotal"), **MONEY, default=Decimal(0))
    tax_total = models.DecimalField(_("tax"), **MONEY, default=Decimal(0))
    total = models.DecimalField(_("total"), **MONEY, default=Decimal(0))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by_name = models.CharField(_("accepted by (name)"), max_length=200, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("accepted by"))
    accepted_ip = models.GenericIPAddressField(_("accepted from"), null=True, blank=True)
    rejected_reason = models.TextField(_("rejection reason"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(fields=["number", "revision"],
                                    name="quotes_quote_number_revision_unique"),
            models.CheckConstraint(condition=Q(subtotal__gte=0) & Q(tax_total__gte=0),
                                   name="quotes_quote_totals_not_negative"),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["account", "-created_at"]),
            models.Index(fields=["status", "valid_until"]),
            # The list pages' order for users who see every quote (no owner filter).
            models.Index(fields=["-created_at", "-id"], name="quotes_quote_newest_idx"),
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return self.number if self.revision == 1 else f"{self.number} rev {self.revision}"


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines",
                              verbose_name=_("quote"))
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey("crm_catalog.Product", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="quote_lines",
                                verbose_name=_("product"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3,
                                   validators=[MinValueValidator(Decimal(0))])
    unit_price = models.DecimalField(_("unit price"), **MONEY,
                                     validators=[MinValueValidator(Decimal(0))])
    # What the pricing service answered; differs from unit_price when a person overrode it.
    list_unit_price = models.DecimalField(_("price from price book"), **MONEY, null=True,
                                          blank=True)
    price_book = models.ForeignKey("crm_catalog.PriceBook", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("price book"))
    price_overridden = models.BooleanField(_("price overridden"), default=False)
    discount_percent = models.DecimalField(
        _("discount (%)"), **PERCENT, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])
    tax_rate = models.DecimalField(_("tax rate (%)"), **PERCENT, default=Decimal(0),
                                   validators=[MinValueValidator(Decimal(0))])
    tax_overridden = models.BooleanField(_("tax rate overridden"), default=False)
    line_net = models.DecimalField(_("net"), **MONEY, default=Decimal(0))
    line_tax = models.DecimalField(_("tax"), **MONEY, default=Decimal(0))

    class Meta:
        ordering = ["quote", "position", "pk"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0),
                                   name="quotes_line_quantity_not_negative"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="quotes_line_discount_0_100"),
            models.CheckConstraint(condition=Q(product__isnull=False) | ~Q(description=""),
                                   name="quotes_line_product_or_description"),
        ]

    def __str__(self) -> str:
        return self.description or str(self.product)


class QuoteSettings(models.Model):
    """The workspace's quote settings (one row per schema, pk 1): the validity a new quote
    gets, its default terms and the address printed on quote PDFs. Read through
    crm.quotes.selectors.quote_settings_get, written by crm.quotes.services.settings."""

    SINGLETON_PK = 1

    validity_days = models.PositiveSmallIntegerField(
        _("quotes are valid for (days)"), default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)])
    default_terms = models.TextField(_("default terms"), blank=True)
    document_address = models.TextField(
        _("address printed on quotes"), blank=True,
        help_text=_("Your company's address as it appears on quote PDFs."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quote settings")
        verbose_name_plural = _("quote settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="quotes_settings_singleton"),
        ]

    def __str__(self) -> str:
        return str(_("Quote settings"))
