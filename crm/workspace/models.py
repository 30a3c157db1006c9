"""The workspace's settings that live in the tenant schema. Name, currency, language and
time zone stay on tenants.Tenant (public schema: the operator console and billing read them);
both are written only by crm.workspace.services.workspace_update."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkspaceSettings(models.Model):
    """One row per schema (pk 1); read through crm.workspace.selectors."""

    SINGLETON_PK = 1

    logo = models.ImageField(_("logo"), upload_to="workspace/", blank=True)
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in"), default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    # Keys of crm.workspace.choices.DATE_PRESETS / NUMBER_PRESETS.
    date_format = models.CharField(_("date format"), max_length=10, default="iso")
    number_format = models.CharField(_("number format"), max_length=10, default="en-US")
    # Security (tenants.two_factor reads them through selectors.security_policy_get).
    require_2fa_admins = models.BooleanField(
        _("require two-factor authentication for administrators"), default=False)
    require_2fa_everyone = models.BooleanField(
        _("require two-factor authentication for everyone"), default=False)
    # Hours a sign-in lasts; empty: the platform default (SESSION_COOKIE_AGE).
    session_lifetime_hours = models.PositiveIntegerField(
        _("session lifetime (hours)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 90)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("workspace settings")
        verbose_name_plural = _("workspace settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="crm_workspace_singleton"),
            models.CheckConstraint(
                condition=models.Q(fiscal_year_start_month__gte=1,
                                   fiscal_year_start_month__lte=12),
                name="crm_workspace_fiscal_month_range",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Workspace settings"))
