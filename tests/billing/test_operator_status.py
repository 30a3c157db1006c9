"""Stripe's facts against an operator's suspension, through the real webhook path."""

import pytest

from billing.models import BillingAccount
from tenants.models import Tenant, TenantStatus
from tenants.services import tenant_reactivate, tenant_suspend
from tenants.users.models import User, UserKind

from .conftest import make_event
from .helpers import subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db) -> User:
    return User.objects.create_user(email="ops@platform.test", password="x" * 12,
                                    kind=UserKind.OPERATOR)


def test_stripe_webhook_active_keeps_the_operator_suspension(
    tenant_a, operator, stripe_on_localstripe, raw_stripe, post_event
):
    tenant_suspend(tenant=tenant_a.tenant, actor=operator, reason="Fraud check")
    subscription = subscribe(raw_stripe, tenant_a.tenant)

    response = post_event(make_event("customer.subscription.created", subscription))

    assert response.status_code == 200
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).status == TenantStatus.SUSPENDED
    account = BillingAccount.objects.get(tenant=tenant_a.tenant)
    assert account.subscription_status == "active"  # the facts are stored all the same
    # The operator's reactivation now finds a paying subscription: active.
    tenant_reactivate(tenant=Tenant.objects.get(pk=tenant_a.tenant.pk), actor=operator,
                      reason="Cleared")
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).status == TenantStatus.ACTIVE


def test_cancelled_then_resubscribed_billing_lifts_its_own_suspension(
    tenant_a, stripe_on_localstripe, raw_stripe, post_event
):
    first = subscribe(raw_stripe, tenant_a.tenant)
    post_event(make_event("customer.subscription.created", first))
    cancelled = raw_stripe.v1.subscriptions.cancel(first["id"]).to_dict()
    post_event(make_event("customer.subscription.deleted", cancelled))
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).status == TenantStatus.SUSPENDED

    again = raw_stripe.v1.subscriptions.create(params={
        "customer": first["customer"], "items": [{"plan": "crm_growth_month", "quantity": 12}],
        "metadata": {"tenant_id": str(tenant_a.tenant.pk), "plan_code": "growth"},
    }).to_dict()
    post_event(make_event("customer.subscription.created", again))

    assert Tenant.objects.get(pk=tenant_a.tenant.pk).status == TenantStatus.ACTIVE
