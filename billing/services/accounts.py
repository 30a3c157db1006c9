"""The billing account of a tenant: created by provisioning, or on first use for tenants
that existed before billing did."""

from django.db import IntegrityError, transaction

from billing.models import BillingAccount, Plan
from tenants.models import Tenant


def plan_for_code(code: str) -> Plan | None:
    return Plan.objects.filter(code=code).first()


def billing_account_ensure(*, tenant: Tenant) -> BillingAccount:
    """The tenant's billing account (created on the plan the tenant signed up for)."""
    account = BillingAccount.objects.select_related("plan", "tenant").filter(tenant=tenant).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            account = BillingAccount.objects.create(
                tenant=tenant, plan=plan_for_code(tenant.plan_code)
            )
    except IntegrityError:  # created concurrently (a retried provisioning step)
        account = BillingAccount.objects.get(tenant=tenant)
    return BillingAccount.objects.select_related("plan", "tenant").get(pk=account.pk)
