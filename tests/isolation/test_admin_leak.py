"""Public-schema data is never reachable from a tenant host.

The audit's finding: billing models (public schema) registered on the Django admin that tenant
hosts serve listed every tenant's billing accounts and Stripe events, because a tenant's
search_path falls through to ``public``. These tests walk every URL of the tenant URLconf as
tenant B's admin with tenant A's secrets planted in the public schema, and pin the system
check that keeps such a registration from coming back.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import schema_context

from billing.models import BillingAccount, BillingAction, Plan, StripeEvent
from tenants.checks import check_admin_scopes, shared_only_app_labels
from tenants.provisioning.platform_setup import operator_ensure

SECRETS = ("cus_ALPHASECRET01", "sub_ALPHASECRET02", "evt_ALPHASECRET03", "billing@alpha.test",
           "Alpha Industries", "alpha.test")


@pytest.fixture
def alpha_billing_secrets(tenant_a, tenant_b):
    """Tenant A's billing account, a Stripe event and a billing action, in the public schema."""
    with schema_context("public"):
        plan = Plan.objects.filter(active=True).first()
        BillingAccount.objects.update_or_create(
            tenant=tenant_a.tenant,
            defaults={"plan": plan, "stripe_customer_id": SECRETS[0],
                      "stripe_subscription_id": SECRETS[1], "billing_email": SECRETS[3],
                      "subscription_status": "active", "seats_paid": 5},
        )
        StripeEvent.objects.create(
            event_id=SECRETS[2], type="invoice.paid", tenant=tenant_a.tenant,
            payload={"data": {"object": {"customer": SECRETS[0], "customer_email": SECRETS[3]}}},
        )
        BillingAction.objects.create(tenant=tenant_a.tenant, kind="seats_changed",
                                     actor_email=SECRETS[3])
    connection.set_schema_to_public()


def _plain_routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    """Every argument-free GET path of a URLconf, Django admin and Wagtail admin included."""
    routes = []
    for entry in resolver.url_patterns:
        pattern = str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            routes += _plain_routes(entry, prefix + pattern)
        elif isinstance(entry, URLPattern) and "<" not in pattern and "(?P" not in pattern \
                and "(" not in pattern and "\\" not in pattern:
            routes.append("/" + prefix + pattern)
    return sorted(set(routes))


def _assert_no_secret(path: str, response, leaks: list) -> None:
    body = response.content.decode(errors="replace")
    for secret in SECRETS:
        if secret in body:
            leaks.append((path, response.status_code, secret))


SKIP = (
    "/accounts/logout/",  # ends the session the walk uses
    "/cms/logout/",
    "/admin/logout/",
    "/cms/failwhale/",  # Wagtail's deliberate error page (raises by design)
)


def test_no_url_of_the_tenant_urlconf_shows_another_tenants_data(
    tenant_a, tenant_b, tenant_client, alpha_billing_secrets
):
    client = tenant_client(tenant_b, tenant_b.users["admin"])
    routes = [r for r in _plain_routes(get_resolver("config.urls_tenant")) if r not in SKIP]
    assert any(r.startswith("/admin/") for r in routes)
    assert any(r.startswith("/cms/") for r in routes)
    assert len(routes) > 80
    leaks: list = []
    for path in routes:
        _assert_no_secret(path, client.get(path), leaks)
    # Every admin page of every model on the tenant host's admin, with its objects.
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        _assert_no_secret(base, client.get(base), leaks)
        _assert_no_secret(base, client.get(base, {"q": "alpha"}), leaks)
        with schema_context(tenant_b.tenant.schema_name):
            first = model_admin.get_queryset(_FakeRequest(tenant_b.users["admin"])).first()
        connection.set_schema_to_public()
        if first is not None:
            path = f"{base}{first.pk}/change/"
            _assert_no_secret(path, client.get(path), leaks)
    assert leaks == []


class _FakeRequest:
    def __init__(self, user):
        self.user = user


def _public_schema_models() -> list:
    labels = shared_only_app_labels()
    return [model for model in apps.get_models() if model._meta.app_label in labels]


def test_every_public_schema_model_admin_answers_404_on_a_tenant_host(tenant_b, tenant_client):
    models = _public_schema_models()
    assert {m._meta.label for m in models} >= {"billing.Plan", "billing.BillingAccount",
                                                "billing.StripeEvent", "tenants.Tenant"}
    client = tenant_client(tenant_b, tenant_b.users["admin"])
    answers = {}
    for model in models:
        meta = model._meta
        for suffix in ("", "add/", "1/change/"):
            path = f"/admin/{meta.app_label}/{meta.model_name}/{suffix}"
            answers[path] = client.get(path).status_code
    assert set(answers.values()) == {404}, answers


def test_public_schema_models_are_not_on_the_tenant_hosts_admin_site():
    labels = shared_only_app_labels()
    assert {"billing", "tenants"} <= labels
    registered = {model._meta.label for model in admin.site._registry}
    assert not {label for label in registered if label.split(".")[0] in labels}


def test_system_check_fails_when_a_public_model_is_registered_on_a_tenant_admin():
    assert [e.id for e in check_admin_scopes()] == []
    admin.site.register(Plan)
    try:
        errors = check_admin_scopes()
    finally:
        admin.site.unregister(Plan)
    assert [e.id for e in errors] == ["tenants.E003"]
    assert "billing.Plan" in errors[0].msg


def test_operators_manage_billing_in_the_public_hosts_admin(tenant_a, public_client,
                                                            alpha_billing_secrets):
    assert public_client.get("/operator/admin/billing/billingaccount/").status_code == 302
    operator_ensure(email="ops@platform.test", password="Ops-password-123")
    public_client.post("/operator/login/", {"username": "ops@platform.test",
                                            "password": "Ops-password-123"})
    page = public_client.get("/operator/admin/billing/billingaccount/")
    assert page.status_code == 200
    assert SECRETS[0] not in page.content.decode()  # list shows tenant and status
    assert "alpha" in page.content.decode()
    assert public_client.get("/operator/admin/billing/stripeevent/").status_code == 200


def test_the_operator_admin_refuses_tenant_staff_and_is_absent_on_tenant_hosts(
    tenant_a, tenant_client, public_client
):
    public_client.post("/operator/login/", {"username": "admin@alpha.test",
                                            "password": "Correct-horse-battery-9"})
    response = public_client.get("/operator/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/operator/login/?next=")
    assert "admin@alpha.test" not in response.content.decode()
    tenant_admin = tenant_client(tenant_a, tenant_a.users["admin"])
    assert tenant_admin.get("/operator/admin/billing/billingaccount/").status_code == 404
