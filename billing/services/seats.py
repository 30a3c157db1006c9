"""Seat limits: active staff users may not exceed the seats the tenant pays for (during the
trial, or without a subscription: the plan's included seats). Portal members never count."""

from django.utils.translation import gettext as _

from billing.models import BillingAccount
from billing.services.accounts import billing_account_ensure
from tenants.models import Tenant
from tenants.seats import seats_in_use
from tenants.urls_util import tenant_url

BILLING_PATH = "/crm/settings/billing/"


class SeatLimitExceededError(Exception):
    """Adding staff would exceed the paid seats; ``upgrade_url`` leads to the billing page."""

    def __init__(self, message: str, *, upgrade_url: str, limit: int, in_use: int) -> None:
        super().__init__(message)
        self.upgrade_url = upgrade_url
        self.limit = limit
        self.in_use = in_use


def seats_limit(account: BillingAccount) -> int:
    if account.has_subscription and account.seats_paid:
        return account.seats_paid
    return account.plan.seats_included if account.plan is not None else 1


def seats_check_can_add(tenant: Tenant, adding: int = 1) -> None:
    """Raise SeatLimitExceededError when ``adding`` more active staff users would exceed the
    tenant's seats. Call inside the tenant's schema, before creating or re-activating staff."""
    account = billing_account_ensure(tenant=tenant)
    limit = seats_limit(account)
    in_use = seats_in_use()
    if in_use + adding <= limit:
        return
    raise SeatLimitExceededError(
        _("Your plan includes %(limit)s staff seats and %(in_use)s are in use. Add seats or "
          "upgrade the plan under Settings > Billing to invite more people.")
        % {"limit": limit, "in_use": in_use},
        upgrade_url=tenant_url(tenant, BILLING_PATH), limit=limit, in_use=in_use,
    )
