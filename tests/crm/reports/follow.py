"""Helpers for the account and service report tests: follow a row's link to the list behind
its figure, as the same viewer, and read back every row of that list (the API list endpoint
with the link's query string, or the page itself where it renders from the same filters).
Plain functions, not fixtures, so that they sit beside the sales reports' conftest."""

from typing import Any
from urllib.parse import urlsplit

from django.test import Client
from django_tenants.utils import tenant_context

from tenants.users.models import User

# The list pages the reports link to, and the API list with the same FilterSet.
API_OF = {
    "/crm/accounts/": "/api/v1/accounts/",
    "/crm/leads/": "/api/v1/leads/",
    "/crm/opportunities/": "/api/v1/opportunities/",
    "/crm/orders/": "/api/v1/orders/",
    "/crm/service/requests/": "/api/v1/service-requests/",
}


def api_rows(client: Client, link: str) -> list[dict[str, Any]]:
    """Every row of the API list behind ``link`` (all cursor pages)."""
    parts = urlsplit(link)
    assert parts.path in API_OF, f"no list API known for {parts.path}"
    url: str | None = f"{API_OF[parts.path]}?{parts.query}&page_size=200"
    rows: list[dict[str, Any]] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:500])
        body = response.json()
        rows += body["results"]
        url = body["next"]
    return rows


def page_context(client: Client, link: str) -> Any:
    """The context of the list page at ``link`` (the click-through itself)."""
    response = client.get(link)
    assert response.status_code == 200, (link, response.content[:500])
    return response.context


def fresh_users(fixture: Any) -> dict[str, User]:
    """The test tenant's users loaded afresh (the visibility scope is memoised per
    instance); call inside the tenant."""
    return {key: User.objects.get(pk=user.pk) for key, user in fixture.users.items()}


def login(fixture: Any, user: User) -> Client:
    """A client on the tenant's host logged in as ``user``; the connection's schema is left
    as it was (the report is built in the same tenant between requests)."""
    client = Client(HTTP_HOST=fixture.tenant.primary_host)
    with tenant_context(fixture.tenant):
        client.force_login(user)
    return client
