"""Orders and contracts and their lines. Rules live in
crm.orders.services (approval chain, amendments, delivery); reads in
crm.orders.selectors. An order is created from an accepted quote (``quote``) or entered
directly; a contract is an order with a period and a renewal date. Payment schedules and
payments are crm.receivables."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 4}
PERCENT = {"max_digits": 7, "decimal_places": 3}


class OrderKind(models.TextChoices):
    ORDER = "order", _("Order")
    CONTRACT = "contract", _("Contract")


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Pending approval")
    APPROVED = "approved", _("Approved")
    PARTLY_DELIVERED = "partly_delivered", _("Partly delivered")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    SUPERSEDED = "superseded", _("Superseded by an amendment")


class Order(models.Model):
    number = models.CharField(_("number"), max_length=30, db_index=True)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    amends = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="amendment", verbose_name=_("amends"))
    kind = models.CharField(_("kind"), max_length=10, choices=OrderKind.choices,
                            default=OrderKind.ORDER)
    account = models.ForeignKey("crm_accounts.Account", on_delete=models.PROTECT,
                                related_name="orders", verbose_name=_("account"))
    opportunity = models.ForeignKey("crm_sales.Opportunity", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="orders",
                                    verbose_name=_("opportunity"))
    contact = models.ForeignKey("crm_accounts.Contact", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="orders",
                                verbose_name=_("contact"))
    quote = models.ForeignKey("crm_quotes.Quote", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="orders",
                              verbose_name=_("quote"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="owned_orders",
                              verbose_name=_("owner"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("author"))
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices,
                              default=OrderStatus.DRAFT)
    currency = models.CharField(_("currency"), max_length=3)
    ordered_on = models.DateField(_("order date"))
    delivery_terms = models.TextField(_("delivery terms"), blank=True)
    payment_terms = models.TextField(_("payment terms"), blank=True)
    # Contracts only.
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    renewal_on = models.DateField(_("renewal date"), null=True, blank=True, db_index=True)
    renewal_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    discount_percent = models.DecimalField(
        _("order discount (%)"), **PERCENT, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])
    subtotal = models.DecimalField(_("subtotal"), **MONEY, default=Decimal(0))
    tax_total = models.DecimalField(_("tax"), **MONEY, default=Decimal(0))
    total = models.DecimalField(_("total"), **MONEY, default=Decimal(0))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    # The approval chain of the current submission, fixed when it is submitted (a change of
    # the tenant's chain applies to the next submission): [{"position", "label", "kind",
    # "role", "user", "final"}].
    approval_plan = models.JSONField(default=list, blank=True, editable=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # The one approval trail (crm.core.approvals) of this revision, for prefetching.
    approvals = GenericRelation("crm_core.Approval", related_query_name="order")
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-ordered_on", "-pk"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["number", "revision"],
                                    name="orders_order_number_revision_unique"),
            models.UniqueConstraint(fields=["external_id"],
                                    condition=Q(external_id__isnull=False),
                                    name="orders_order_external_id_unique"),
            models.CheckConstraint(condition=Q(subtotal__gte=0) & Q(tax_total__gte=0),
                                   name="orders_order_totals_not_negative"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="orders_order_period_ordered"),
        ]
        indexes = [
            models.Index(fields=["owner", "-ordered_on"]),
            models.Index(fields=["account", "-ordered_on"]),
            models.Index(fields=["status", "-ordered_on"]),
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return self.number if self.revision == 1 else f"{self.number} rev {self.revision}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines",
                              verbose_name=_("order"))
    position = models.PositiveIntegerField(_("position"), default=0)
    quote_line = models.ForeignKey("crm_quotes.QuoteLine", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    product = models.ForeignKey("crm_catalog.Product", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="order_lines",
                                verbose_name=_("product"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3,
                                   validators=[MinValueValidator(Decimal(0))])
    unit_price = models.DecimalField(_("unit price"), **MONEY,
                                     validators=[MinValueValidator(Decimal(0))])
    discount_percent = models.DecimalField(
        _("discount (%)"), **PERCENT, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])
    tax_rate = models.DecimalField(_("tax rate (%)"), **PERCENT, default=Decimal(0),
                                   validators=[MinValueValidator(Decimal(0))])
    line_net = models.DecimalField(_("net"), **MONEY, default=Decimal(0))
    line_tax = models.DecimalField(_("tax"), **MONEY, default=Decimal(0))
    delivered_quantity = models.DecimalField(_("delivered"), max_digits=14, decimal_places=3,
                                             default=Decimal(0))

    class Meta:
        ordering = ["order", "position", "pk"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0),
                                   name="orders_line_quantity_not_negative"),
            models.CheckConstraint(
                condition=Q(delivered_quantity__gte=0)
                & Q(delivered_quantity__lte=models.F("quantity")),
                name="orders_line_delivered_within_quantity"),
            models.CheckConstraint(condition=Q(product__isnull=False) | ~Q(description=""),
                                   name="orders_line_product_or_description"),
        ]

    def __str__(self) -> str:
        return self.description or str(self.product)


class ApproverKind(models.TextChoices):
    TEAM_MANAGER = "team_manager", _("The author's team managers")
    ROLE = "role", _("Everyone with a role")
    USER = "user", _("One person")


class ApprovalChainStep(models.Model):
    """One step of the tenant's order approval chain: it applies to an order whose total (in
    the tenant currency) reaches ``min_amount``; steps run in ``position`` order."""

    position = models.PositiveSmallIntegerField(_("position"), unique=True)
    label = models.CharField(_("label"), max_length=100)
    approver_kind = models.CharField(_("approved by"), max_length=20,
                                     choices=ApproverKind.choices,
                                     default=ApproverKind.TEAM_MANAGER)
    role = models.CharField(_("role"), max_length=20, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("person"))
    min_amount = models.DecimalField(_("from amount"), **MONEY, default=Decimal(0),
                                     validators=[MinValueValidator(Decimal(0))])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("approval chain step")
        verbose_name_plural = _("approval chain steps")
        constraints = [
            models.CheckConstraint(condition=Q(min_amount__gte=0),
                                   name="orders_chain_step_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.label


class OrderSettings(models.Model):
    """The tenant's order settings (one row, pk 1)."""

    renewal_lead_days = models.PositiveSmallIntegerField(
        _("renewal reminder lead (days)"), default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)])
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("order settings")
        verbose_name_plural = _("order settings")

    def __str__(self) -> str:
        return str(_("Order settings"))


class OrderDelivery(models.Model):
    """One delivery of some of an order's lines (partial deliveries allowed)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="deliveries",
                              verbose_name=_("order"))
    delivered_on = models.DateField(_("delivered on"))
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("delivered by"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["order", "delivered_on", "pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.order} {self.delivered_on}"


class OrderDeliveryLine(models.Model):
    delivery = models.ForeignKey(OrderDelivery, on_delete=models.CASCADE, related_name="lines",
                                 verbose_name=_("delivery"))
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE,
                                   related_name="deliveries", verbose_name=_("order line"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    serial_numbers = models.JSONField(_("serial numbers"), default=list, blank=True)

    class Meta:
        ordering = ["delivery", "pk"]
        verbose_name = _("delivered line")
        verbose_name_plural = _("delivered lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0),
                                   name="orders_delivery_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order_line} x {self.quantity}"
