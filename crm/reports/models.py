"""Exchange rates for reports: when a tenant records rates, reports convert every amount
into the workspace currency at the latest rate on or before the report's end date and show
the rate's date; without rates, amounts stay per currency."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExchangeRate(models.Model):
    """``1 currency = rate * workspace currency`` from ``valid_from`` on."""

    currency = models.CharField(_("currency"), max_length=3)
    rate = models.DecimalField(_("rate"), max_digits=20, decimal_places=10,
                               validators=[MinValueValidator(Decimal("0.0000000001"))])
    valid_from = models.DateField(_("valid from"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ("currency", "-valid_from")
        constraints = [
            models.UniqueConstraint(fields=("currency", "valid_from"),
                                    name="reports_rate_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} ({self.valid_from})"
