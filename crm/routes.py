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
]


def register_api_routes(router: DefaultRouter) -> None:
    from importlib import import_module

    for module_name in API_ROUTE_MODULES:
        import_module(module_name).register_api_routes(router)
