"""/crm/ on a tenant host: the shell and every CRM app's pages."""

from django.urls import include, path

urlpatterns = [
    path("", include("crm.core.urls")),
    path("", include("crm.accounts.urls")),
    path("", include("crm.sales.urls")),
    path("", include("crm.leads.urls")),
    path("settings/billing/", include("billing.tenant_urls")),
    path("settings/security/tokens/", include("crm.api_tokens.urls")),
    path("settings/webhooks/", include("crm.webhooks.urls")),
    path("settings/security/two-factor/", include("tenants.two_factor.urls_settings")),
    path("settings/", include("crm.workspace.urls")),
    path("", include("crm.activities.urls")),
    path("", include("crm.pool.urls")),
    path("", include("crm.staff.urls")),
    path("", include("crm.dataexport.urls")),
    path("", include("crm.catalog.urls")),
    path("", include("crm.imports.urls")),
    path("portal/", include("portal.crm_urls")),
    path("settings/portal/", include("portal.crm_settings_urls")),
    path("", include("crm.receivables.urls")),
    path("", include("crm.expenses.urls")),
    path("", include("crm.orders.urls")),
    path("", include("crm.quotes.urls")),
    path("", include("crm.service.urls")),
    path("", include("crm.service.sla_urls")),
    path("", include("crm.reports.urls")),
]
