"""Public schema: plans, each tenant's billing account (its Stripe customer and subscription),
Stripe events as received (stored once by id), and the billing audit trail."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Tenant


class BillingInterval(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Yearly")


class Plan(models.Model):
    """A plan operators sell. Price model: the plan's price covers ``seats_included`` seats,
    each seat beyond costs ``price_per_extra_seat`` a month (twelve times that a year). In
    Stripe that is one graduated tiered Price per interval, so the subscription quantity is
    simply the number of seats."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    price_monthly = models.DecimalField(_("monthly price"), max_digits=10, decimal_places=2)
    price_yearly = models.DecimalField(_("yearly price"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    seats_included = models.PositiveIntegerField(_("seats included"), default=3)
    price_per_extra_seat = models.DecimalField(
        _("price per extra seat (monthly)"), max_digits=10, decimal_places=2,
        default=Decimal("0"),
    )
    # {"portal": bool, "api": bool, "custom_domain": bool, "storage_gb": int}
    features = models.JSONField(_("features"), default=dict, blank=True)
    stripe_product_id = models.CharField(max_length=100, blank=True)
    stripe_price_monthly_id = models.CharField(max_length=100, blank=True)
    stripe_price_yearly_id = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(_("on sale"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "price_monthly"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.name

    def lookup_key(self, interval: str) -> str:
        """Stripe Price lookup key: stable across re-syncs, moved to a new Price when the
        amounts change."""
        return f"crm_{self.code}_{interval}"

    @property
    def stripe_product_key(self) -> str:
        return f"crm_plan_{self.code}"

    def feature(self, name: str) -> object:
        return self.features.get(name)


class BillingAccount(models.Model):
    """One per tenant: the plan, the Stripe customer and the subscription as last read from
    Stripe, the seats paid for, and the grace period of an unpaid invoice."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="billing")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="accounts")
    interval = models.CharField(max_length=8, choices=BillingInterval.choices,
                                default=BillingInterval.MONTH)
    stripe_customer_id = models.CharField(max_length=100, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=100, blank=True, db_index=True)
    stripe_subscription_item_id = models.CharField(max_length=100, blank=True)
    # Stripe's own subscription status (active, past_due, canceled...), as last read.
    subscription_status = models.CharField(max_length=30, blank=True)
    seats_paid = models.PositiveIntegerField(_("seats paid"), default=0)
    current_period_end = models.DateTimeField(_("renews"), null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    billing_email = models.EmailField(blank=True)
    grace_ends_at = models.DateTimeField(_("grace period ends"), null=True, blank=True)
    # Days-before-end thresholds already reminded (so each reminder goes out once).
    trial_reminders_sent = models.JSONField(default=list, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")

    def __str__(self) -> str:
        return f"{self.tenant.slug}: {self.subscription_status or 'no subscription'}"

    @property
    def has_subscription(self) -> bool:
        return bool(self.stripe_subscription_id) and self.subscription_status not in (
            "", "canceled", "incomplete_expired",
        )


class StripeEvent(models.Model):
    """A webhook event exactly as Stripe sent it, stored once (unique event id) before any
    processing, so no payment event is lost and a replay is a no-op."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    livemode = models.BooleanField(default=False)
    payload = models.JSONField()
    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="stripe_events")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # What processing concluded, for operators reading the log ("status trial -> active").
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["processed_at", "received_at"])]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class BillingAction(models.Model):
    """Audit of billing changes: operators' grace extensions (with reason) and every tenant
    status change billing made (actor empty when Stripe or a schedule caused it)."""

    class Kind(models.TextChoices):
        GRACE_EXTENDED = "grace_extended", _("Grace period extended")
        STATUS_CHANGED = "status_changed", _("Status changed")
        SEATS_CHANGED = "seats_changed", _("Seats changed")
        CHECKOUT_STARTED = "checkout_started", _("Checkout started")

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="billing_actions")
    # A platform operator (public schema) for grace extensions; tenant staff are recorded by
    # e-mail in ``actor_email`` since their rows live in another schema.
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    actor_email = models.EmailField(blank=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    reason = models.TextField(blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.tenant_id}"
