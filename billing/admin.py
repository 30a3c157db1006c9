"""Platform operators manage plans in the public host's operator admin (/operator/admin/).

Billing models live in the public schema: they are registered on the operator admin site only,
never on ``admin.site``, which tenant hosts serve (see tenants.admin_sites)."""

from django.contrib import admin

from billing.models import BillingAccount, BillingAction, Plan, StripeEvent
from tenants.admin_sites import OperatorModelAdmin, operator_admin_site


@admin.register(Plan, site=operator_admin_site)
class PlanAdmin(OperatorModelAdmin):
    list_display = ["code", "name", "price_monthly", "price_yearly", "currency",
                    "seats_included", "price_per_extra_seat", "active"]
    list_filter = ["active"]
    readonly_fields = ["stripe_product_id", "stripe_price_monthly_id", "stripe_price_yearly_id"]


@admin.register(BillingAccount, site=operator_admin_site)
class BillingAccountAdmin(OperatorModelAdmin):
    list_display = ["tenant", "plan", "subscription_status", "seats_paid", "grace_ends_at"]
    list_select_related = ["tenant", "plan"]
    readonly_fields = [f.name for f in BillingAccount._meta.fields]

    def has_add_permission(self, request: object) -> bool:  # type: ignore[override]
        return False  # one per tenant, made by the billing service


@admin.register(StripeEvent, site=operator_admin_site)
class StripeEventAdmin(OperatorModelAdmin):
    list_display = ["event_id", "type", "tenant", "received_at", "processed_at", "attempts"]
    list_filter = ["type"]
    search_fields = ["event_id"]
    readonly_fields = [f.name for f in StripeEvent._meta.fields]

    def has_add_permission(self, request: object) -> bool:  # type: ignore[override]
        return False  # written by the billing services only


@admin.register(BillingAction, site=operator_admin_site)
class BillingActionAdmin(OperatorModelAdmin):
    list_display = ["tenant", "kind", "actor_email", "created_at"]
    readonly_fields = [f.name for f in BillingAction._meta.fields]

    def has_add_permission(self, request: object) -> bool:  # type: ignore[override]
        return False  # written by the billing services only
