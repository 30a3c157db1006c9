"""{% billing_operator_panel tenant %}: the billing box on the operator's tenant page."""

from typing import Any

from django import template

from billing.forms import GraceExtensionForm
from billing.selectors import billing_actions_for
from billing.services.accounts import billing_account_ensure
from tenants.models import Tenant

register = template.Library()


@register.inclusion_tag("billing/operator/_panel.html")
def billing_operator_panel(tenant: Tenant) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "account": billing_account_ensure(tenant=tenant),
        "form": GraceExtensionForm(),
        "actions": billing_actions_for(tenant=tenant),
    }
