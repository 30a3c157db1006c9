"""The one writer of tenant status: every (from, to) pair for every cause, and the rules
between billing and operators (Stripe never lifts an operator's suspension; reactivation
never makes a tenant without a subscription active; archived only by operators)."""

from datetime import timedelta
from itertools import product

import pytest
from django.utils import timezone

from billing.models import BillingAccount, BillingAction
from billing.services import schedules
from billing.services.accounts import billing_account_ensure
from billing.services.status import tenant_status_set
from tenants.models import StatusCause, Tenant, TenantStatus, TenantStatusChange
from tenants.services import TenantActionError, tenant_reactivate, tenant_suspend
from tenants.status import StatusTransitionError, tenant_status_transition
from tenants.users.models import User, UserKind

pytestmark = pytest.mark.django_db

S = TenantStatus
STATUSES = [s.value for s in TenantStatus]
CAUSES = [c.value for c in StatusCause]

# The table, written out on its own so a change to tenants/status.py must be made twice:
# "from to: causes allowed" (o=operator, b=billing, p=provisioning, s=system).
EXPECTED = """
provisioning trial: p
trial active: b
trial past_due: b
trial read_only: b s
trial suspended: o b
trial archived: o
active past_due: b
active read_only: b
active suspended: o b
active archived: o
past_due active: b
past_due read_only: b s
past_due suspended: o b
past_due archived: o
read_only trial: o
read_only active: o b
read_only past_due: o b
read_only suspended: o b
read_only archived: o
suspended trial: o
suspended active: o
suspended past_due: o
suspended read_only: o
suspended archived: o
archived trial: o
archived active: o
archived past_due: o
archived read_only: o
archived suspended: o
"""
_LETTERS = {"o": "operator", "b": "billing", "p": "provisioning", "s": "system"}


def _expected() -> dict[tuple[str, str], set[str]]:
    table = {}
    for line in EXPECTED.strip().splitlines():
        pair, causes = line.split(":")
        before, after = pair.split()
        table[(before, after)] = {_LETTERS[c] for c in causes.split()}
    return table


ALLOWED = _expected()
CASES = [(b, a, c) for b, a in product(STATUSES, STATUSES) if b != a for c in CAUSES]


@pytest.fixture
def operator(db) -> User:
    return User.objects.create_user(email="ops@platform.test", password="x" * 12,
                                    kind=UserKind.OPERATOR)


def _set(tenant: Tenant, status: str) -> Tenant:
    """Arrange a status directly (the scenario, not the code under test)."""
    Tenant.objects.filter(pk=tenant.pk).update(status=status)
    return Tenant.objects.get(pk=tenant.pk)


def _status(tenant: Tenant) -> str:
    return Tenant.objects.get(pk=tenant.pk).status


@pytest.mark.parametrize(("before", "after", "cause"), CASES,
                         ids=[f"{b}->{a}-by-{c}" for b, a, c in CASES])
def test_each_transition_is_allowed_only_for_its_causes(tenant_a, operator, before, after,
                                                        cause):
    # A suspension set up without a recorded cause counts as an operator's: billing may
    # never lift it (billing's own suspensions are tested below).
    tenant = _set(tenant_a.tenant, before)
    actor = operator if cause == StatusCause.OPERATOR else None
    changes = TenantStatusChange.objects.filter(tenant=tenant).count()

    if cause in ALLOWED.get((before, after), set()):
        result = tenant_status_transition(tenant=tenant, to=after, cause=cause, actor=actor,
                                          reason="table test")
        assert result.changed
        assert _status(tenant) == after
        change = TenantStatusChange.objects.filter(tenant=tenant).first()
        assert (change.from_status, change.to_status, change.cause) == (before, after, cause)
        assert change.actor == actor
    else:
        with pytest.raises(StatusTransitionError):
            tenant_status_transition(tenant=tenant, to=after, cause=cause, actor=actor,
                                     reason="table test")
        assert _status(tenant) == before
        assert TenantStatusChange.objects.filter(tenant=tenant).count() == changes


def test_same_status_is_no_change_and_no_record(tenant_a):
    before = TenantStatusChange.objects.filter(tenant=tenant_a.tenant).count()
    result = tenant_status_transition(tenant=tenant_a.tenant, to=S.TRIAL, cause="billing")
    assert result.changed is False
    assert TenantStatusChange.objects.filter(tenant=tenant_a.tenant).count() == before


def test_operator_cause_needs_an_operator(tenant_a):
    with pytest.raises(StatusTransitionError, match="operators"):
        tenant_status_transition(tenant=tenant_a.tenant, to=S.SUSPENDED, cause="operator",
                                 actor=tenant_a.users["admin"])
    assert _status(tenant_a.tenant) == S.TRIAL


def test_unknown_cause_is_refused(tenant_a):
    with pytest.raises(StatusTransitionError):
        tenant_status_transition(tenant=tenant_a.tenant, to=S.ACTIVE, cause="stripe")


def test_provisioning_recorded_the_trial_with_its_cause(tenant_a):
    change = TenantStatusChange.objects.filter(tenant=tenant_a.tenant,
                                               cause=StatusCause.PROVISIONING).get()
    assert (change.from_status, change.to_status) == (S.PROVISIONING, S.TRIAL)


# Billing versus operators --------------------------------------------------------------

def test_billing_reporting_active_never_lifts_an_operator_suspension(tenant_a, operator):
    tenant_suspend(tenant=tenant_a.tenant, actor=operator, reason="Abuse report")

    assert tenant_status_set(tenant=tenant_a.tenant, status=S.ACTIVE,
                             reason="stripe invoice.paid") is False
    assert _status(tenant_a.tenant) == S.SUSPENDED
    assert not BillingAction.objects.filter(tenant=tenant_a.tenant,
                                            kind=BillingAction.Kind.STATUS_CHANGED).exists()


def test_billing_lifts_its_own_suspension_when_paid_again(tenant_a):
    tenant = _set(tenant_a.tenant, S.ACTIVE)
    assert tenant_status_set(tenant=tenant, status=S.SUSPENDED, reason="stripe canceled")
    assert tenant_status_set(tenant=tenant, status=S.ACTIVE, reason="stripe resubscribed")
    assert _status(tenant) == S.ACTIVE
    causes = list(TenantStatusChange.objects.filter(tenant=tenant).order_by("created_at", "id")
                  .values_list("to_status", "cause"))
    assert causes[-2:] == [(S.SUSPENDED, "billing"), (S.ACTIVE, "billing")]


def test_billing_cannot_archive_nor_move_an_archived_tenant(tenant_a):
    assert tenant_status_set(tenant=tenant_a.tenant, status=S.ARCHIVED, reason="x") is False
    tenant = _set(tenant_a.tenant, S.ARCHIVED)
    assert tenant_status_set(tenant=tenant, status=S.ACTIVE, reason="stripe") is False
    assert _status(tenant) == S.ARCHIVED


def test_schedules_record_the_clock_as_cause(tenant_a):
    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(
        trial_ends_at=timezone.now() - timedelta(hours=1))
    assert schedules.trials_expire() == 1
    change = TenantStatusChange.objects.filter(tenant=tenant_a.tenant).first()
    assert (change.to_status, change.cause) == (S.READ_ONLY, StatusCause.SYSTEM)


# Reactivation ----------------------------------------------------------------------------

def _trial_over(tenant: Tenant) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(trial_ends_at=timezone.now() - timedelta(days=1))


def _subscription(tenant: Tenant, status: str, grace_ends_at=None) -> None:
    account = billing_account_ensure(tenant=tenant)
    BillingAccount.objects.filter(pk=account.pk).update(
        stripe_subscription_id="sub_test", subscription_status=status,
        grace_ends_at=grace_ends_at)


def test_reactivation_returns_to_a_running_trial(tenant_a, operator):
    tenant_suspend(tenant=tenant_a.tenant, actor=operator, reason="x")
    tenant_reactivate(tenant=Tenant.objects.get(pk=tenant_a.tenant.pk), actor=operator,
                      reason="y")
    assert _status(tenant_a.tenant) == S.TRIAL


def test_reactivation_without_subscription_or_trial_stays_suspended(tenant_a, operator):
    _trial_over(tenant_a.tenant)
    tenant = _set(tenant_a.tenant, S.ACTIVE)
    tenant_suspend(tenant=tenant, actor=operator, reason="x")

    with pytest.raises(TenantActionError, match="no subscription"):
        tenant_reactivate(tenant=Tenant.objects.get(pk=tenant.pk), actor=operator, reason="y")
    assert _status(tenant) == S.SUSPENDED


def test_reactivating_an_archived_tenant_without_subscription_suspends_it(tenant_a, operator):
    _trial_over(tenant_a.tenant)
    tenant = _set(tenant_a.tenant, S.ARCHIVED)

    tenant_reactivate(tenant=tenant, actor=operator, reason="Customer is back")

    assert _status(tenant) == S.SUSPENDED
    assert TenantStatusChange.objects.filter(tenant=tenant).first().cause == "operator"


def test_reactivating_read_only_without_subscription_is_refused(tenant_a, operator):
    _trial_over(tenant_a.tenant)
    tenant = _set(tenant_a.tenant, S.READ_ONLY)
    with pytest.raises(TenantActionError, match="read-only"):
        tenant_reactivate(tenant=tenant, actor=operator, reason="y")
    assert _status(tenant) == S.READ_ONLY


@pytest.mark.parametrize(("subscription", "grace_days", "expected"), [
    ("active", None, S.ACTIVE),
    ("trialing", None, S.ACTIVE),
    ("past_due", 3, S.PAST_DUE),
    ("past_due", -1, S.READ_ONLY),
    ("canceled", None, S.SUSPENDED),
])
def test_reactivation_follows_the_subscription(tenant_a, operator, subscription, grace_days,
                                               expected):
    _trial_over(tenant_a.tenant)
    grace = timezone.now() + timedelta(days=grace_days) if grace_days is not None else None
    _subscription(tenant_a.tenant, subscription, grace)
    tenant = _set(tenant_a.tenant, S.ARCHIVED)

    tenant_reactivate(tenant=tenant, actor=operator, reason="back")

    assert _status(tenant) == expected
