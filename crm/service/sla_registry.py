"""What the SLA part of crm.service plugs in at start-up: its navigation entries (the
"Service" section), its demo seeder and its Celery tasks (the worker's autodiscovery only
imports ``tasks`` modules)."""

from django.utils.translation import gettext_lazy as _

from crm.core.navigation import NavItem, register_nav


def register() -> None:
    from crm.service import sla_demo, sla_tasks  # noqa: F401  (seeder and tasks register)

    register_nav(NavItem(section=_("Service"), label=_("SLA policies"),
                         url_name="crm_sla:policy_list", order=560))
    register_nav(NavItem(section=_("Service"), label=_("Service contracts"),
                         url_name="crm_sla:contract_list", order=570))
    register_nav(NavItem(section=_("Service"), label=_("Service analysis"),
                         url_name="crm_sla:reports", order=580))
