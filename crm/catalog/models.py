"""Products and price books. Rules live in crm.catalog.services (writes) and
crm.catalog.pricing (the one answer to "what does this account pay"); reads in
crm.catalog.selectors.

An *account group* is an account tier (crm.accounts.models.AccountTier: key account, A, B,
C) or an account tag (Account.tags): a group book names exactly one of the two."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import AccountTier

MONEY = {"max_digits": 14, "decimal_places": 4}


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    family = models.CharField(_("family"), max_length=100, blank=True, db_index=True)
    unit = models.CharField(_("unit"), max_length=30, default="pcs",
                            help_text=_("pcs, box, kg, hour…"))
    list_price = models.DecimalField(_("list price"), **MONEY,
                                     validators=[MinValueValidator(Decimal(0))])
    currency = models.CharField(_("currency"), max_length=3)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=6, decimal_places=3,
                                   default=Decimal(0),
                                   validators=[MinValueValidator(Decimal(0))])
    active = models.BooleanField(_("active"), default=True)
    serialized = models.BooleanField(
        _("serialised"), default=False, help_text=_("Each unit has a serial number."))
    # Set by the service issue: delivered units' warranty ends this many months after
    # delivery (crm.service.services.assets.assets_from_delivery); empty: no warranty.
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), null=True,
                                                       blank=True)
    image = models.ImageField(_("image"), upload_to="catalog/products/", blank=True)
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(Upper("sku"), name="catalog_product_sku_unique_ci"),
            models.UniqueConstraint(fields=["external_id"],
                                    condition=Q(external_id__isnull=False),
                                    name="catalog_product_external_id_unique"),
            models.CheckConstraint(condition=Q(list_price__gte=0),
                                   name="catalog_product_list_price_not_negative"),
            models.CheckConstraint(condition=Q(tax_rate__gte=0),
                                   name="catalog_product_tax_rate_not_negative"),
        ]
        indexes = [models.Index(fields=["active", "name"])]

    def __str__(self) -> str:
        return f"{self.sku} · {self.name}"


class PriceBookKind(models.TextChoices):
    STANDARD = "standard", _("Standard")
    GROUP = "group", _("Account group")
    ACCOUNT = "account", _("One account")


class PriceBook(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=PriceBookKind.choices,
                            default=PriceBookKind.GROUP)
    # Group books: exactly one of the two (an account tier, or an account tag).
    group_tier = models.CharField(_("account tier"), max_length=10,
                                  choices=AccountTier.choices, blank=True)
    group_tag = models.CharField(_("account tag"), max_length=50, blank=True)
    account = models.ForeignKey("crm_accounts.Account", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="price_books",
                                verbose_name=_("account"))
    currency = models.CharField(_("currency"), max_length=3)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True,
                                   help_text=_("Empty: no end date. The last day it applies."))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["kind", "name", "pk"]
        verbose_name = _("price book")
        verbose_name_plural = _("price books")
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="standard"),
                                    name="catalog_one_standard_price_book"),
            models.CheckConstraint(
                condition=(Q(kind="account", account__isnull=False, group_tier="",
                             group_tag="")
                           | Q(kind="group", account__isnull=True)
                           & (Q(group_tier="") & ~Q(group_tag="")
                              | ~Q(group_tier="") & Q(group_tag=""))
                           | Q(kind="standard", account__isnull=True, group_tier="",
                               group_tag="")),
                name="catalog_price_book_kind_fields"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F(
                    "valid_from")),
                name="catalog_price_book_dates_in_order"),
        ]
        indexes = [models.Index(fields=["kind", "active"]), models.Index(fields=["account"])]

    def __str__(self) -> str:
        return self.name

    @property
    def group_label(self) -> str:
        if self.group_tier:
            return str(AccountTier(self.group_tier).label)
        return f"#{self.group_tag}" if self.group_tag else ""


class PriceBookEntry(models.Model):
    book = models.ForeignKey(PriceBook, on_delete=models.CASCADE, related_name="entries",
                             verbose_name=_("price book"))
    product = models.ForeignKey(Product, on_delete=models.CASCADE,
                                related_name="price_entries", verbose_name=_("product"))
    unit_price = models.DecimalField(_("unit price"), **MONEY,
                                     validators=[MinValueValidator(Decimal(0))])
    min_quantity = models.DecimalField(
        _("minimum quantity"), max_digits=14, decimal_places=4, default=Decimal(1),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("The price applies from this quantity on (volume tier)."))

    class Meta:
        ordering = ["product__name", "min_quantity", "pk"]
        verbose_name = _("price book entry")
        verbose_name_plural = _("price book entries")
        constraints = [
            models.UniqueConstraint(fields=["book", "product", "min_quantity"],
                                    name="catalog_entry_unique_tier"),
            models.CheckConstraint(condition=Q(unit_price__gte=0),
                                   name="catalog_entry_price_not_negative"),
            models.CheckConstraint(condition=Q(min_quantity__gte=0),
                                   name="catalog_entry_min_quantity_not_negative"),
        ]
        indexes = [models.Index(fields=["product", "book"])]

    def __str__(self) -> str:
        return f"{self.book} · {self.product.sku} ≥ {self.min_quantity}"
