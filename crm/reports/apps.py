from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class ReportsConfig(ScopedAppConfig):
    """Dashboards and reports (issue 12): each report is a builder registered in
    ``crm.reports.registry``; the pages, the API and the downloads render whatever is
    registered, so a report is written once."""

    name = "crm.reports"
    label = "crm_reports"
    verbose_name = _("Reports")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.reports import definitions  # noqa: F401  (registers the reports)
