"""/crm/settings/billing/: who may open it, what it shows, Checkout and the Billing Portal at
the HTTP boundary, Stripe unreachable, and isolation between tenants."""

import pytest

from billing.models import BillingAccount, BillingAction, Plan
from tenants.models import Tenant

from .helpers import subscribe

pytestmark = pytest.mark.django_db

URL = "/crm/settings/billing/"


@pytest.fixture
def growth_on_sale() -> Plan:
    Plan.objects.filter(code="growth").update(
        stripe_price_monthly_id="price_growth_m", stripe_price_yearly_id="price_growth_y")
    return Plan.objects.get(code="growth")


@pytest.mark.parametrize("role", ["manager", "rep", "agent", "readonly"])
def test_only_billing_admins_open_the_page(tenant_a, tenant_client, role):
    client = tenant_client(tenant_a, tenant_a.users[role])
    assert client.get(URL).status_code == 403
    assert client.post(URL + "checkout/", {"plan": "growth"}).status_code == 403
    assert client.post(URL + "portal/").status_code == 403


def test_anonymous_goes_to_login(tenant_a, tenant_client):
    response = tenant_client(tenant_a).get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_trial_page_shows_plan_seats_and_trial_end_without_calling_stripe(
    tenant_a, tenant_client, stripe_unreachable, django_assert_max_num_queries
):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    with django_assert_max_num_queries(25):
        response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Trial ends" in body
    assert "7 / 3" in body  # 7 active staff, starter includes 3
    assert "Subscribe" in body
    assert "Growth" in body
    assert "Enterprise" in body
    # No Stripe customer yet: nothing to fetch, so no outage notice.
    assert "cannot be reached" not in body


def test_subscribed_page_lists_invoices_and_the_upcoming_one(
    tenant_a, tenant_client, stripe_on_localstripe, raw_stripe, post_event
):
    from .conftest import make_event

    subscription = subscribe(raw_stripe, tenant_a.tenant, seats=12)
    post_event(make_event("customer.subscription.created", subscription))
    client = tenant_client(tenant_a, tenant_a.users["admin"])

    response = client.get(URL)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Active" in body
    assert "7 / 12" in body
    assert "Change plan" in body
    overview = response.context["overview"]
    assert len(overview.invoices) == 1
    assert overview.invoices[0].status == "paid"
    assert overview.upcoming is not None
    assert "Upcoming invoice" in body


def test_page_degrades_when_stripe_is_unreachable(tenant_a, tenant_client, stripe_unreachable):
    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(
        stripe_customer_id="cus_1", stripe_subscription_id="sub_1", subscription_status="active",
        seats_paid=9)
    client = tenant_client(tenant_a, tenant_a.users["admin"])

    response = client.get(URL)

    assert response.status_code == 200
    body = response.content.decode()
    assert "cannot be reached" in body
    assert "7 / 9" in body


def test_subscribe_opens_checkout_with_seats_and_tenant_return_urls(
    tenant_a, tenant_client, stripe_stub, growth_on_sale
):
    client = tenant_client(tenant_a, tenant_a.users["admin"])

    response = client.post(URL + "checkout/", {"plan": "growth", "interval": "month",
                                               "seats": "9"})

    assert response.status_code == 303
    assert response["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    [customer] = stripe_stub.sent("POST", "/v1/customers")
    assert customer.params["metadata[tenant_id]"] == str(tenant_a.tenant.pk)
    [session] = stripe_stub.sent("POST", "/v1/checkout/sessions")
    assert session.params["mode"] == "subscription"
    assert session.params["line_items[0][price]"] == "price_growth_m"
    assert session.params["line_items[0][quantity]"] == "9"
    assert session.params["success_url"] == (
        "http://alpha.localhost/crm/settings/billing/?checkout=success")
    assert session.params["cancel_url"] == (
        "http://alpha.localhost/crm/settings/billing/?checkout=cancelled")
    assert session.params["subscription_data[metadata][tenant_id]"] == str(tenant_a.tenant.pk)
    account = BillingAccount.objects.get(tenant=tenant_a.tenant)
    assert account.stripe_customer_id.startswith("cus_stub")
    assert BillingAction.objects.filter(tenant=tenant_a.tenant,
                                        kind=BillingAction.Kind.CHECKOUT_STARTED).exists()


def test_change_plan_checkout_names_the_subscription_it_replaces(
    tenant_a, tenant_client, stripe_stub, growth_on_sale
):
    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(
        stripe_customer_id="cus_known", stripe_subscription_id="sub_old",
        subscription_status="active", seats_paid=8)
    client = tenant_client(tenant_a, tenant_a.users["admin"])

    response = client.post(URL + "checkout/", {"plan": "growth", "interval": "month",
                                               "seats": "8"})

    assert response.status_code == 303
    assert stripe_stub.sent("POST", "/v1/customers") == []  # the known customer is reused
    [session] = stripe_stub.sent("POST", "/v1/checkout/sessions")
    assert session.params["customer"] == "cus_known"
    assert session.params["metadata[replaces_subscription]"] == "sub_old"


@pytest.mark.parametrize("data", [
    {"plan": "nope", "interval": "month", "seats": "9"},
    {"plan": "growth", "interval": "weekly", "seats": "9"},
    {"plan": "growth", "interval": "month", "seats": "-1"},
    {"plan": "growth", "interval": "month", "seats": "many"},
    {"plan": "growth", "interval": "month", "seats": "3"},  # fewer than the 7 active staff
    {},
])
def test_bad_checkout_input_is_400_and_calls_nobody(
    tenant_a, tenant_client, stripe_stub, growth_on_sale, data
):
    response = tenant_client(tenant_a, tenant_a.users["admin"]).post(URL + "checkout/", data)
    assert response.status_code == 400
    assert stripe_stub.requests == []


def test_plan_without_stripe_price_is_refused_clearly(tenant_a, tenant_client, stripe_stub):
    response = tenant_client(tenant_a, tenant_a.users["admin"]).post(
        URL + "checkout/", {"plan": "enterprise", "interval": "year", "seats": "9"})
    assert response.status_code == 400
    assert "cannot be bought online yet" in response.content.decode()


def test_checkout_with_stripe_unreachable_changes_nothing(
    tenant_a, tenant_client, stripe_unreachable, growth_on_sale
):
    response = tenant_client(tenant_a, tenant_a.users["admin"]).post(
        URL + "checkout/", {"plan": "growth", "interval": "month", "seats": "9"})

    assert response.status_code == 503
    assert "cannot be reached" in response.content.decode()
    assert BillingAccount.objects.get(tenant=tenant_a.tenant).stripe_customer_id == ""
    assert not BillingAction.objects.filter(tenant=tenant_a.tenant).exists()


def test_checkout_when_stripe_answers_500_changes_nothing(
    tenant_a, tenant_client, stripe_stub, growth_on_sale
):
    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(stripe_customer_id="cus_known")
    stripe_stub.overrides[("POST", "/v1/checkout/sessions")] = (
        500, {"error": {"type": "api_error", "message": "An unknown error occurred"}})

    response = tenant_client(tenant_a, tenant_a.users["admin"]).post(
        URL + "checkout/", {"plan": "growth", "interval": "month", "seats": "9"})

    assert response.status_code == 503
    assert "having problems" in response.content.decode()
    assert not BillingAction.objects.filter(tenant=tenant_a.tenant).exists()


def test_manage_payment_methods_opens_the_billing_portal(tenant_a, tenant_client, stripe_stub):
    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(stripe_customer_id="cus_known")

    response = tenant_client(tenant_a, tenant_a.users["admin"]).post(URL + "portal/")

    assert response.status_code == 303
    assert response["Location"] == "https://billing.stripe.com/p/session/test_YWNjdF8x"
    [session] = stripe_stub.sent("POST", "/v1/billing_portal/sessions")
    assert session.params == {"customer": "cus_known",
                              "return_url": "http://alpha.localhost/crm/settings/billing/"}


def test_pages_only_ever_show_the_request_tenants_billing(
    tenant_a, tenant_b, tenant_client, stripe_stub
):
    BillingAccount.objects.filter(tenant=tenant_b.tenant).update(
        stripe_customer_id="cus_beta", seats_paid=20, stripe_subscription_id="sub_beta",
        subscription_status="active")

    page_a = tenant_client(tenant_a, tenant_a.users["admin"]).get(URL)
    portal_a = tenant_client(tenant_a, tenant_a.users["admin"]).post(URL + "portal/")

    assert page_a.context["overview"].tenant.pk == tenant_a.tenant.pk
    assert "sub_beta" not in page_a.content.decode()
    assert "7 / 3" in page_a.content.decode()
    # A's portal session is for A's own (new) customer, never B's.
    [session] = stripe_stub.sent("POST", "/v1/billing_portal/sessions")
    assert session.params["customer"] != "cus_beta"
    assert portal_a.status_code == 303
    # B's admin cannot open the page on A's host: B's session is unknown there.
    client_b_on_a = tenant_client(tenant_b, tenant_b.users["admin"])
    client_b_on_a.defaults["HTTP_HOST"] = Tenant.objects.get(pk=tenant_a.tenant.pk).primary_host
    assert client_b_on_a.get(URL).status_code == 302


def test_billing_nav_entry_for_admins_only(tenant_a, tenant_client):
    admin_home = tenant_client(tenant_a, tenant_a.users["admin"]).get("/crm/")
    rep_home = tenant_client(tenant_a, tenant_a.users["rep"]).get("/crm/")
    assert 'href="/crm/settings/billing/"' in admin_home.content.decode()
    assert 'href="/crm/settings/billing/"' not in rep_home.content.decode()


def test_stripe_timeout_gives_a_clear_message(tenant_a, tenant_client, stripe_stub, settings):
    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(stripe_customer_id="cus_known")
    settings.STRIPE_TIMEOUT = 0.3
    stripe_stub.delay = 1.0

    response = tenant_client(tenant_a, tenant_a.users["admin"]).post(URL + "portal/")

    assert response.status_code == 503
    assert "cannot be reached" in response.content.decode()


def test_back_from_checkout_refreshes_the_subscription_from_stripe(
    tenant_a, tenant_client, stripe_on_localstripe, raw_stripe
):
    subscription = subscribe(raw_stripe, tenant_a.tenant, seats=10)

    response = tenant_client(tenant_a, tenant_a.users["admin"]).get(URL + "?checkout=success")

    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    account = BillingAccount.objects.get(tenant=tenant_a.tenant)
    assert account.stripe_subscription_id == subscription["id"]
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).status == "active"


def test_back_from_checkout_with_stripe_down_still_shows_the_page(
    tenant_a, tenant_client, stripe_unreachable
):
    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(stripe_customer_id="cus_1")

    response = tenant_client(tenant_a, tenant_a.users["admin"]).get(URL + "?checkout=success")

    assert response.status_code == 200
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).status == "trial"
