"""Platform operators manage plans in the public schema's Django admin."""

from django.contrib import admin

from billing.models import BillingAccount, BillingAction, Plan, StripeEvent


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "price_monthly", "price_yearly", "currency",
                    "seats_included", "price_per_extra_seat", "active"]
    list_filter = ["active"]
    readonly_fields = ["stripe_product_id", "stripe_price_monthly_id", "stripe_price_yearly_id"]


@admin.register(BillingAccount)
class BillingAccountAdmin(admin.ModelAdmin):
    list_display = ["tenant", "plan", "subscription_status", "seats_paid", "grace_ends_at"]
    list_select_related = ["tenant", "plan"]
    readonly_fields = [f.name for f in BillingAccount._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "tenant", "received_at", "processed_at", "attempts"]
    list_filter = ["type"]
    search_fields = ["event_id"]
    readonly_fields = [f.name for f in StripeEvent._meta.fields]


@admin.register(BillingAction)
class BillingActionAdmin(admin.ModelAdmin):
    list_display = ["tenant", "kind", "actor_email", "created_at"]
    readonly_fields = [f.name for f in BillingAction._meta.fields]
