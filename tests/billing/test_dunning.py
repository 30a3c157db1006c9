"""Payment failure -> past_due with a grace period -> read_only -> paid -> active;
cancellation -> suspended; operators extend grace (audited)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from billing.models import BillingAccount, BillingAction
from billing.services import schedules
from billing.services.errors import BillingError
from billing.services.grace import grace_extend
from tenants.models import Tenant, TenantStatus
from tenants.users.models import User, UserKind

from .conftest import make_event
from .helpers import fail_next_payment, pay_with_good_card, subscribe

pytestmark = pytest.mark.django_db


def _status(tenant: Tenant) -> str:
    return Tenant.objects.get(pk=tenant.pk).status


@pytest.fixture
def operator(db) -> User:
    return User.objects.create_user(email="ops@platform.test", password="x" * 12,
                                    kind=UserKind.OPERATOR)


@pytest.fixture
def paying_a(tenant_a, stripe_on_localstripe, raw_stripe, post_event) -> dict:
    subscription = subscribe(raw_stripe, tenant_a.tenant)
    post_event(make_event("customer.subscription.created", subscription))
    assert _status(tenant_a.tenant) == TenantStatus.ACTIVE
    return subscription


def test_payment_failure_through_grace_to_read_only_and_back_to_active(
    tenant_a, paying_a, raw_stripe, post_event, django_capture_on_commit_callbacks, in_tenant
):
    invoice = fail_next_payment(raw_stripe, paying_a)
    assert invoice["status"] == "open"
    mail.outbox.clear()

    post_event(make_event("invoice.payment_failed", invoice))

    assert _status(tenant_a.tenant) == TenantStatus.PAST_DUE
    account = BillingAccount.objects.get(tenant=tenant_a.tenant)
    grace_end = account.grace_ends_at
    assert grace_end is not None
    assert timedelta(days=6) < grace_end - timezone.now() <= timedelta(days=7)
    assert [m.to for m in mail.outbox] == [["admin@alpha.test"]]
    assert "payment failed" in mail.outbox[0].subject.lower()
    with in_tenant(tenant_a):
        assert tenant_a.users["admin"].notifications.filter(verb="billing_past_due").exists()
        assert not tenant_a.users["rep"].notifications.exists()

    # A second failure notice does not restart the grace period or e-mail again.
    post_event(make_event("invoice.payment_failed", invoice))
    assert BillingAccount.objects.get(tenant=tenant_a.tenant).grace_ends_at == grace_end
    assert len(mail.outbox) == 1

    # Before the grace period ends the schedule leaves it alone; afterwards, read-only.
    with django_capture_on_commit_callbacks(execute=True):
        assert schedules.grace_periods_enforce(now=grace_end - timedelta(hours=1)) == 0
        assert schedules.grace_periods_enforce(now=grace_end + timedelta(minutes=1)) == 1
    assert _status(tenant_a.tenant) == TenantStatus.READ_ONLY
    assert "read-only" in mail.outbox[-1].subject

    paid = pay_with_good_card(raw_stripe, invoice)
    assert paid["status"] == "paid"
    post_event(make_event("invoice.paid", paid))

    assert _status(tenant_a.tenant) == TenantStatus.ACTIVE
    assert BillingAccount.objects.get(tenant=tenant_a.tenant).grace_ends_at is None
    transitions = [
        (a.before["status"], a.after["status"])
        for a in BillingAction.objects.filter(tenant=tenant_a.tenant,
                                              kind=BillingAction.Kind.STATUS_CHANGED)
        .order_by("created_at", "id")
    ]
    assert transitions == [("trial", "active"), ("active", "past_due"),
                           ("past_due", "read_only"), ("read_only", "active")]


def test_read_only_tenant_refuses_staff_writes_but_keeps_billing_open(
    tenant_a, tenant_client
):
    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(status=TenantStatus.READ_ONLY)
    client = tenant_client(tenant_a, tenant_a.users["admin"])

    assert client.post("/crm/settings/", {}).status_code == 403
    assert client.get("/crm/settings/billing/").status_code == 200
    # Billing stays writable (a bad form is a 400, not the read-only 403).
    assert client.post("/crm/settings/billing/seats/", {"seats": "x"}).status_code == 400


def test_cancelled_subscription_suspends_and_keeps_data(
    tenant_a, paying_a, raw_stripe, post_event, in_tenant
):
    cancelled = raw_stripe.v1.subscriptions.cancel(paying_a["id"]).to_dict()

    post_event(make_event("customer.subscription.deleted", cancelled))

    assert _status(tenant_a.tenant) == TenantStatus.SUSPENDED
    with in_tenant(tenant_a):
        assert User.objects.filter(email="rep@alpha.test").exists()


def test_subscription_set_to_cancel_at_period_end_stays_active(
    tenant_a, paying_a, raw_stripe, post_event
):
    updated = raw_stripe.v1.subscriptions.update(
        paying_a["id"], params={"cancel_at_period_end": True}).to_dict()

    post_event(make_event("customer.subscription.updated", updated))

    assert _status(tenant_a.tenant) == TenantStatus.ACTIVE
    assert BillingAccount.objects.get(tenant=tenant_a.tenant).cancel_at_period_end is True


def test_operator_extends_grace_and_it_is_audited(tenant_a, operator):
    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(status=TenantStatus.READ_ONLY)
    tenant = Tenant.objects.get(pk=tenant_a.tenant.pk)
    BillingAccount.objects.filter(tenant=tenant).update(
        grace_ends_at=timezone.now() - timedelta(days=1))

    account = grace_extend(tenant=tenant, actor=operator, days=5, reason="Customer called")

    assert timedelta(days=4) < account.grace_ends_at - timezone.now() <= timedelta(days=5)
    assert _status(tenant) == TenantStatus.PAST_DUE
    action = BillingAction.objects.get(tenant=tenant, kind=BillingAction.Kind.GRACE_EXTENDED)
    assert action.operator == operator
    assert action.reason == "Customer called"
    assert action.after["days"] == 5
    # The schedule respects the new end.
    assert schedules.grace_periods_enforce() == 0


def test_grace_extension_rules(tenant_a, operator):
    tenant = tenant_a.tenant
    with pytest.raises(BillingError, match="past-due or read-only"):
        grace_extend(tenant=tenant, actor=operator, days=3, reason="x")
    Tenant.objects.filter(pk=tenant.pk).update(status=TenantStatus.PAST_DUE)
    tenant = Tenant.objects.get(pk=tenant.pk)
    with pytest.raises(BillingError, match="1 to 60"):
        grace_extend(tenant=tenant, actor=operator, days=0, reason="x")
    with pytest.raises(BillingError, match="reason"):
        grace_extend(tenant=tenant, actor=operator, days=3, reason="  ")
    with pytest.raises(BillingError, match="operators"):
        grace_extend(tenant=tenant, actor=tenant_a.users["admin"], days=3, reason="x")
    assert not BillingAction.objects.filter(tenant=tenant).exists()


def test_operator_console_grace_form(tenant_a, operator, public_client):
    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(status=TenantStatus.PAST_DUE)
    public_client.force_login(operator)

    page = public_client.get(f"/operator/tenants/{tenant_a.tenant.pk}/")
    assert page.status_code == 200
    assert f"/operator/tenants/{tenant_a.tenant.pk}/grace/" in page.content.decode()

    bad = public_client.post(f"/billing/operator/tenants/{tenant_a.tenant.pk}/grace/",
                             {"days": "abc", "reason": ""})
    assert bad.status_code == 302
    assert not BillingAction.objects.filter(tenant=tenant_a.tenant).exists()

    ok = public_client.post(f"/billing/operator/tenants/{tenant_a.tenant.pk}/grace/",
                            {"days": "3", "reason": "Bank transfer on its way"})
    assert ok.status_code == 302
    assert BillingAction.objects.filter(tenant=tenant_a.tenant,
                                        kind=BillingAction.Kind.GRACE_EXTENDED).count() == 1


def test_grace_form_needs_an_operator(tenant_a, public_client):
    response = public_client.post(f"/billing/operator/tenants/{tenant_a.tenant.pk}/grace/",
                                  {"days": "3", "reason": "x"})
    assert response.status_code == 302
    assert "/operator/login/" in response["Location"]
    assert not BillingAction.objects.filter(tenant=tenant_a.tenant).exists()
