"""Where each CRM app plugs its API routes and pages in."""

from rest_framework.routers import DefaultRouter

# Modules that define ``register_api_routes(router)``; each CRM app adds itself here.
API_ROUTE_MODULES: list[str] = [
    "crm.accounts.api",
    "crm.sales.api",
    "crm.leads.api",
    "crm.activities.api",
    "crm.pool.api",
    "crm.api_tokens.api",
    "crm.staff.api",
    "crm.core.api.teams",
    "crm.workspace.api",
    "crm.catalog.api",
    "crm.webhooks.api",
    "crm.imports.api",
    "crm.expenses.api",
    "crm.orders.api",
    "crm.quotes.api",
    "crm.service.api",
    "crm.service.sla_api",
    "crm.reports.api",
]

# Modules that define ``api_urlpatterns`` (API resources that are not router collections,
# such as the /api/v1/settings/ singleton); included before the router's URLs.
API_URL_MODULES: list[str] = [
    "crm.workspace.api",
    "crm.receivables.api",
    "crm.service.sla_api",
    "crm.reports.api",
]


def register_api_routes(router: DefaultRouter) -> None:
    from importlib import import_module

    for module_name in API_ROUTE_MODULES:
        import_module(module_name).register_api_routes(router)


def api_urlpatterns() -> list:
    from importlib import import_module

    patterns: list = []
    for module_name in API_URL_MODULES:
        patterns += import_module(module_name).api_urlpatterns
    return patterns
