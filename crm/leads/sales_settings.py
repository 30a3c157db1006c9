"""The lead scoring and assignment card of the sales settings overview."""

from django.utils.translation import gettext_lazy as _

from crm.core.sales_settings import Figure, SalesSettingsCard, register_sales_settings_card
from crm.leads.models import AssignmentRule, ScoringRule


def lead_rule_figures() -> list[Figure]:
    return [
        (_("Active scoring rules"), ScoringRule.objects.filter(active=True).count()),
        (_("Active assignment rules"), AssignmentRule.objects.filter(active=True).count()),
    ]


def register() -> None:
    register_sales_settings_card(SalesSettingsCard(
        key="leads", title=_("Lead scoring and assignment"), url_name="leads:rules",
        order=30, figures=lead_rule_figures,
        description=_("Points per lead attribute; who gets each new lead.")))
