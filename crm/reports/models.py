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


class SalesTarget(models.Model):
    """The sales target of one rep or one team for one calendar month (``month`` is its first
    day), in ``currency``. Set by admins, and by managers for the teams they manage and those
    teams' members (crm.reports.services)."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                            blank=True, related_name="sales_targets", verbose_name=_("rep"))
    team = models.ForeignKey("crm_core.Team", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="sales_targets", verbose_name=_("team"))
    month = models.DateField(_("month"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2,
                                 validators=[MinValueValidator(Decimal(0))])
    currency = models.CharField(_("currency"), max_length=3)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ("month", "id")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(rep__isnull=False, team__isnull=True)
                           | models.Q(rep__isnull=True, team__isnull=False)),
                name="reports_target_rep_or_team"),
            models.CheckConstraint(condition=models.Q(amount__gte=0),
                                   name="reports_target_amount_positive"),
            models.CheckConstraint(condition=models.Q(month__day=1),
                                   name="reports_target_first_of_month"),
            models.UniqueConstraint(fields=("rep", "month"), condition=models.Q(rep__isnull=False),
                                    name="reports_target_one_per_rep_month"),
            models.UniqueConstraint(fields=("team", "month"),
                                    condition=models.Q(team__isnull=False),
                                    name="reports_target_one_per_team_month"),
        ]

    def __str__(self) -> str:
        who = f"rep {self.rep_id}" if self.rep_id else f"team {self.team_id}"
        return f"{who} {self.month:%Y-%m}: {self.amount} {self.currency}"
