"""Seat limits: refusal with an upgrade link; seat changes update the subscription quantity."""

import pytest

from billing.models import BillingAccount, BillingAction, Plan
from billing.services.errors import BillingError
from billing.services.seats import SeatLimitExceededError, seats_check_can_add
from billing.services.subscriptions import subscription_seats_update
from tenants.models import Tenant
from tenants.seats import seats_in_use

from .helpers import subscribe

pytestmark = pytest.mark.django_db


def _use_plan(tenant: Tenant, code: str) -> None:
    BillingAccount.objects.filter(tenant=tenant).update(plan=Plan.objects.get(code=code))


def test_trial_allows_the_plans_included_seats(tenant_a, in_tenant):
    _use_plan(tenant_a.tenant, "growth")  # 10 seats included; alpha has 7 active staff
    with in_tenant(tenant_a):
        assert seats_in_use() == 7
        seats_check_can_add(tenant_a.tenant, adding=3)
        with pytest.raises(SeatLimitExceededError) as refused:
            seats_check_can_add(tenant_a.tenant, adding=4)
    assert refused.value.limit == 10
    assert refused.value.upgrade_url == "http://alpha.localhost/crm/settings/billing/"
    assert "10 staff seats" in str(refused.value)


def test_paid_seats_are_the_limit_once_subscribed(tenant_a, in_tenant):
    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(
        stripe_subscription_id="sub_1", subscription_status="active", seats_paid=8)
    with in_tenant(tenant_a):
        seats_check_can_add(tenant_a.tenant)
        with pytest.raises(SeatLimitExceededError):
            seats_check_can_add(tenant_a.tenant, adding=2)


def test_limits_are_per_tenant(tenant_a, tenant_b, in_tenant):
    _use_plan(tenant_a.tenant, "growth")
    _use_plan(tenant_b.tenant, "growth")  # beta has 9 active staff
    with in_tenant(tenant_b), pytest.raises(SeatLimitExceededError):
        seats_check_can_add(tenant_b.tenant, adding=2)
    with in_tenant(tenant_a):
        seats_check_can_add(tenant_a.tenant, adding=2)


def test_admin_user_creation_is_refused_beyond_the_seats(tenant_a, tenant_client, in_tenant):
    _use_plan(tenant_a.tenant, "starter")  # 3 included, 7 in use
    client = tenant_client(tenant_a, tenant_a.users["admin"])

    response = client.post("/admin/users/user/add/", {
        "email": "new@alpha.test", "first_name": "N", "last_name": "U", "role": "sales_rep",
        "password1": "Correct-horse-battery-9", "password2": "Correct-horse-battery-9",
        "usable_password": "true",
    })

    assert response.status_code == 200
    assert "staff seats" in response.content.decode()
    assert "/crm/settings/billing/" in response.content.decode()
    with in_tenant(tenant_a):
        from tenants.users.models import User

        assert not User.objects.filter(email="new@alpha.test").exists()


def test_changing_seats_updates_the_subscription_quantity(
    tenant_a, stripe_on_localstripe, raw_stripe, in_tenant, post_event
):
    from .conftest import make_event

    subscription = subscribe(raw_stripe, tenant_a.tenant, seats=10)
    post_event(make_event("customer.subscription.created", subscription))

    with in_tenant(tenant_a):
        account = subscription_seats_update(tenant=tenant_a.tenant,
                                            actor=tenant_a.users["admin"], seats=14)

    assert account.seats_paid == 14
    remote = raw_stripe.v1.subscriptions.retrieve(subscription["id"]).to_dict()
    assert remote["items"]["data"][0]["quantity"] == 14
    action = BillingAction.objects.get(tenant=tenant_a.tenant,
                                       kind=BillingAction.Kind.SEATS_CHANGED)
    assert (action.before, action.after) == ({"seats": 10}, {"seats": 14})


def test_cannot_pay_for_fewer_seats_than_active_staff(tenant_a, in_tenant):
    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(
        stripe_subscription_id="sub_1", stripe_subscription_item_id="si_1",
        subscription_status="active", seats_paid=10)
    with in_tenant(tenant_a), pytest.raises(BillingError, match="at least 7"):
        subscription_seats_update(tenant=tenant_a.tenant, actor=tenant_a.users["admin"],
                                  seats=5)
    assert BillingAccount.objects.get(tenant=tenant_a.tenant).seats_paid == 10


def test_seat_change_with_stripe_down_changes_nothing(tenant_a, in_tenant, stripe_unreachable):
    from billing.stripe_client import StripeUnavailableError

    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(
        stripe_subscription_id="sub_1", stripe_subscription_item_id="si_1",
        subscription_status="active", seats_paid=10)
    with in_tenant(tenant_a), pytest.raises(StripeUnavailableError):
        subscription_seats_update(tenant=tenant_a.tenant, actor=tenant_a.users["admin"],
                                  seats=12)
    assert BillingAccount.objects.get(tenant=tenant_a.tenant).seats_paid == 10
    assert not BillingAction.objects.filter(tenant=tenant_a.tenant).exists()
