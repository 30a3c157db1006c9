"""Payment schedules (instalments that add up to the order total) and payments recorded
against them. Rules live in crm.receivables.services (schedule, record payment, reminders);
aging and balances in crm.receivables.selectors."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
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
