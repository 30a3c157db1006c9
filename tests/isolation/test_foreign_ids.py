"""Every route that takes a record id, fed another tenant's real ids, answers 404.

Tenant A is filled with the demo data; tenant B's admin then requests every ``<int:...>`` route
of the CRM pages and the API with A's ids. The second test tenant's ids start at
``SECOND_TENANT_ID_OFFSET`` (tests/conftest.py), so an id of A can never name one of B's own
records: the only passing answer is 404. A route whose id kind is not mapped below fails the
test, so new routes are covered when they are added.
"""

import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from crm.accounts.models import Account
from crm.api_tokens.services import api_token_create
from crm.core.files import attachment_add
from crm.imports.models import ImportJob
from crm.leads.models import AssignmentRule
from tenants.demo import registered_seeders
from tenants.users.models import User

# The path segment before an id names what the id is.
SEGMENT_MODELS = {
    "aliases": "crm_accounts.NameAlias",
    "accounts": "crm_accounts.Account",
    "contacts": "crm_accounts.Contact",
    "committee": "crm_accounts.Contact",
    "team": "users.User",
    "opportunities": "crm_sales.Opportunity",
    "key-actions": "crm_sales.KeyAction",
    "pipelines": "crm_sales.Pipeline",
    "leads": "crm_leads.Lead",
    "scoring": "crm_leads.ScoringRule",
    "assignment": "crm_leads.AssignmentRule",
    "campaigns": "crm_leads.Campaign",
    "activities": "crm_activities.Activity",
    "pool": "crm_accounts.Account",  # /api/v1/pool/{id}/ is a pool account
    "pools": "crm_pool.Pool",
    "users": "users.User",
    "teams": "crm_core.Team",
    "regions": "crm_core.Region",
    "tokens": "api_tokens.ApiToken",
    "<slug:kind>": "crm_core.Attachment",  # /files/attachment/{id}/
    "products": "crm_catalog.Product",
    "price-books": "crm_catalog.PriceBook",
    "entries": "crm_catalog.PriceBookEntry",
    "webhooks": "crm_webhooks.WebhookEndpoint",
    "imports": "crm_imports.ImportJob",
    # The member area and member API (/portal/...), walked by a member of tenant B.
    "quotes": "crm_quotes.Quote",
    "assets": "crm_service.Asset",
    "service-requests": "crm_service.ServiceRequest",
    "registrations": "portal.PortalRegistration",
    "memberships": "portal.PortalMembership",
    "orders": "crm_orders.Order",  # /crm/receivables/orders/{id}/, /api/v1/orders/{id}/...
    "expenses": "crm_expenses.Expense",
    "steps": "crm_orders.ApprovalChainStep",
    "sla-policies": "crm_service.SlaPolicy",
    "contracts": "crm_service.ServiceContract",
    "service-contracts": "crm_service.ServiceContract",
    "requests": "crm_service.ServiceRequest",  # /crm/service/requests/{id}/
    "files": "crm_core.Attachment",  # /portal/service-requests/{id}/files/{id}/
}
# Non-id arguments of id routes get a fixed valid value.
STRING_ARGS = {"kind": "scoring", "target_type": "account"}
SLUG_ARGS = {"kind": "attachment"}
TIMELINE = re.compile(r"timeline/<str:target_type>/<int:target_id>")
# Path converters, and the regex groups of routers' routes: the pk and ``<name>_id`` ones
# (an external id is the integrator's string, not a record id).
ID_ARG = re.compile(r"<int:(\w+)>|\(\?P<(pk|(?!external_id)\w+_id)>[^)]*\)")
STR_ARG = re.compile(r"<str:(\w+)>")
SLUG_ARG = re.compile(r"<slug:(\w+)>")


def _id_routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    routes = []
    for entry in resolver.url_patterns:
        pattern = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if pattern.startswith(("cms/", "admin/", "documents/", "_util/")):
                continue
            routes += _id_routes(entry, prefix + pattern)
        elif isinstance(entry, URLPattern):
            full = prefix + pattern
            if ".(?P<format>" in full or "\\.(?P<format>" in full:
                continue
            # Wagtail's own page-password route is not a CRM record route.
            if ID_ARG.search(full) and not full.startswith("_util/"):
                routes.append(full)
    return routes


def _model_for(route: str, match: re.Match) -> str:
    if TIMELINE.search(route) and match.group(1) == "target_id":
        return "crm_accounts.Account"
    before = route[: match.start()].rstrip("/").replace("^", "")
    segment = before.split("/")[-1]
    if segment.startswith("<str:"):
        segment = STRING_ARGS[STR_ARG.match(segment).group(1)]
    return SEGMENT_MODELS[segment]


def _path_with_ids(route: str, ids: dict[str, int]) -> str:
    path = route
    for match in reversed(list(ID_ARG.finditer(route))):
        path = path[: match.start()] + str(ids[_model_for(route, match)]) + path[match.end():]
    path = STR_ARG.sub(lambda m: STRING_ARGS[m.group(1)], path)
    path = SLUG_ARG.sub(lambda m: SLUG_ARGS[m.group(1)], path)
    return "/" + path.replace("^", "").replace("$", "")


@pytest.fixture
def alpha_with_demo_data(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        # The demo seeders look for the demo logins; give them alpha's people.
        for key, email in (("rep", "rep@demo.test"), ("manager", "manager@demo.test")):
            User.objects.filter(pk=tenant_a.users[key].pk).update(email=email)
        for seeder in registered_seeders():
            seeder.run()
        AssignmentRule.objects.create(name="Alpha rule", strategy="user",
                                      user=tenant_a.users["rep"])
        api_token_create(user=tenant_a.users["admin"], name="Alpha token")
        ImportJob.objects.create(kind="accounts", original_name="alpha.csv",
                                 file="imports/alpha.csv", file_format="csv",
                                 created_by=tenant_a.users["admin"])
        attachment_add(record=Account.objects.order_by("pk").first(),
                       upload=SimpleUploadedFile("alpha.txt", b"alpha", "text/plain"),
                       actor=tenant_a.users["admin"])
        ids = {}
        for label in set(SEGMENT_MODELS.values()):
            first = apps.get_model(label).objects.order_by("pk").values_list("pk", flat=True)
            ids[label] = first.first()
    connection.set_schema_to_public()
    return ids


def test_every_id_route_answers_404_to_another_tenants_ids(
    tenant_a, tenant_b, tenant_client, alpha_with_demo_data
):
    from tests.conftest import SECOND_TENANT_ID_OFFSET

    missing = sorted(label for label, pk in alpha_with_demo_data.items() if pk is None)
    assert missing == [], f"the demo data has no {missing}: seed them so the walk covers them"
    assert max(alpha_with_demo_data.values()) < SECOND_TENANT_ID_OFFSET

    routes = _id_routes(get_resolver("config.urls_tenant"))
    assert len(routes) > 60
    unmapped = []
    for route in routes:
        for match in ID_ARG.finditer(route):
            try:
                _model_for(route, match)
            except KeyError:
                unmapped.append(route)
    assert unmapped == [], "map the id of these routes in SEGMENT_MODELS"

    client = tenant_client(tenant_b, tenant_b.users["admin"])
    # Staff are refused by the member area by construction (403): a member of B walks it.
    member_client = tenant_client(tenant_b, _member_of(tenant_b))
    answers = {}
    for route in routes:
        path = _path_with_ids(route, alpha_with_demo_data)
        walker = member_client if route.startswith("portal/") else client
        # The first method the route answers (a missing record must be a 404 for each).
        for method in ("get", "post", "patch", "delete"):
            response = getattr(walker, method)(path)
            if response.status_code != 405:
                break
        answers[path] = response.status_code
    wrong = {path: status for path, status in answers.items() if status != 404}
    assert wrong == {}


def _member_of(tenant) -> User:
    """A portal member of one of the tenant's own accounts (customer admin)."""
    from django_tenants.utils import tenant_context

    from crm.accounts.models import Contact
    from portal.models import MemberRole, PortalMembership
    from tenants.users.models import UserKind

    with tenant_context(tenant.tenant):
        account = Account.objects.create(name="B customer", name_normalized="b customer")
        contact = Contact.objects.create(account=account, last_name="B", email="m@b.test")
        user = User.objects.create_user(email="m@b.test", password="x", kind=UserKind.MEMBER)
        PortalMembership.objects.create(user=user, account=account, contact=contact,
                                        role=MemberRole.CUSTOMER_ADMIN)
    connection.set_schema_to_public()
    return user


def test_the_second_tenants_ids_start_at_the_offset(tenant_a, tenant_b, in_tenant):
    from crm.sales.models import Pipeline
    from tenants.users.models import User
    from tests.conftest import SECOND_TENANT_ID_OFFSET

    with in_tenant(tenant_b):
        assert min(User.objects.values_list("pk", flat=True)) > SECOND_TENANT_ID_OFFSET
        assert min(Pipeline.objects.values_list("pk", flat=True)) > SECOND_TENANT_ID_OFFSET
    with in_tenant(tenant_a):
        assert max(User.objects.values_list("pk", flat=True)) < SECOND_TENANT_ID_OFFSET
