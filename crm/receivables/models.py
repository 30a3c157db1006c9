"""Payment schedules (instalments that add up to the order total) and payments recorded
against them. Rules live in crm.receivables.services (schedule, record payment, reminders);
aging and balances in crm.receivables.selectors."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 4}


class Instalment(models.Model):
    """One due amount of an order's payment schedule; a schedule adds up to the order total."""

    order = models.ForeignKey("crm_orders.Order", on_delete=models.CASCADE,
                              related_name="instalments", verbose_name=_("order"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=100, blank=True)
    due_on = models.DateField(_("due"), db_index=True)
    amount = models.DecimalField(_("amount"), **MONEY,
                                 validators=[MinValueValidator(Decimal(0))])
    paid_amount = models.DecimalField(_("paid"), **MONEY, default=Decimal(0))
    reminded_before_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_after_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["order", "due_on", "position", "pk"]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(paid_amount__gte=0),
                                   name="receivables_instalment_amounts_not_negative"),
        ]
        indexes = [models.Index(fields=["due_on"],
                                condition=Q(paid_amount__lt=models.F("amount")),
                                name="receivables_open_due")]

    def __str__(self) -> str:
        return f"{self.order} · {self.due_on}"

    @property
    def open_amount(self) -> Decimal:
        return self.amount - self.paid_amount


class Payment(models.Model):
    order = models.ForeignKey("crm_orders.Order", on_delete=models.PROTECT,
                              related_name="payments", verbose_name=_("order"))
    instalment = models.ForeignKey(Instalment, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="payments", verbose_name=_("instalment"))
    amount = models.DecimalField(_("amount"), **MONEY,
                                 validators=[MinValueValidator(Decimal("0.0001"))])
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0),
                                              name="receivables_payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.order} · {self.amount} · {self.paid_on}"


class PaymentAllocation(models.Model):
    """The part of a payment applied to one instalment. A payment named against an
    instalment has one allocation; one without is spread oldest-first over the open
    instalments. ``Instalment.paid_amount`` is the sum of its allocations (kept by
    crm.receivables.services)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations",
                                verbose_name=_("payment"))
    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT,
                                   related_name="allocations", verbose_name=_("instalment"))
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["payment", "instalment__due_on", "pk"]
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0),
                                   name="receivables_allocation_amount_positive"),
            models.UniqueConstraint(fields=["payment", "instalment"],
                                    name="receivables_allocation_once_per_instalment"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.instalment_id}: {self.amount}"


class ReceivablesSettings(models.Model):
    """The tenant's reminder days (one row, pk 1; written by
    crm.receivables.services.receivables_settings_update). Empty: no such reminder."""

    SINGLETON_PK = 1

    remind_days_before = models.PositiveSmallIntegerField(
        _("remind days before the due date"), null=True, blank=True, default=3,
        validators=[MaxValueValidator(90)],
        help_text=_("The owner and finance are reminded this many days before an instalment "
                    "is due; empty: no reminder."))
    remind_days_after = models.PositiveSmallIntegerField(
        _("remind days after the due date"), null=True, blank=True, default=7,
        validators=[MaxValueValidator(365)],
        help_text=_("The owner and finance are reminded when an instalment is still open "
                    "this many days after its due date; empty: no reminder."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("receivables settings")
        verbose_name_plural = _("receivables settings")

    def __str__(self) -> str:
        return str(_("Receivables settings"))
