"""The pipelines card of the sales settings overview (/crm/settings/sales/)."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from crm.core.sales_settings import Figure, SalesSettingsCard, register_sales_settings_card
from crm.sales.models import Pipeline


def pipeline_figures() -> list[Figure]:
    pipelines = list(Pipeline.objects.filter(active=True).annotate(stage_count=Count("stages"))
                     .order_by("-is_default", "name"))
    default = next((pipeline for pipeline in pipelines if pipeline.is_default), None)
    return [
        (_("Active pipelines"), len(pipelines)),
        (_("Default pipeline"), default.name if default else "—"),
        (_("Stages in the default pipeline"), default.stage_count if default else 0),
    ]


def register() -> None:
    register_sales_settings_card(SalesSettingsCard(
        key="pipelines", title=_("Pipelines"), url_name="sales:pipeline_settings_index",
        order=10, figures=pipeline_figures,
        description=_("Stages, probabilities and the key actions of each stage.")))
