"""The Stripe calls billing makes, each a small typed function over ``stripe_client.call``.
They return plain dicts and never touch the database: services call Stripe first and write
locally only after Stripe answered, so a failed call changes no local state."""

from typing import Any

from billing.stripe_client import StripeRequestError, call, is_missing

Data = dict[str, Any]


# Customers ---------------------------------------------------------------------------------

def customer_create(*, tenant_id: int, schema: str, name: str, email: str) -> Data:
    params = {"name": name, "email": email,
              "metadata": {"tenant_id": str(tenant_id), "schema": schema}}
    # One customer per tenant even when the first attempt timed out after Stripe created it.
    options = {"idempotency_key": f"crm-customer-tenant-{tenant_id}"}
    return call(lambda c: c.v1.customers.create(params=params, options=options),
                what="customer create")


def customer_retrieve(customer_id: str) -> Data:
    return call(lambda c: c.v1.customers.retrieve(customer_id), what="customer retrieve")


# Subscriptions ------------------------------------------------------------------------------

def subscriptions_for_customer(customer_id: str) -> list[Data]:
    page = call(
        lambda c: c.v1.subscriptions.list(
            params={"customer": customer_id, "status": "all", "limit": 20}
        ),
        what="subscription list",
    )
    return list(page.get("data", []))


def subscription_retrieve(subscription_id: str) -> Data | None:
    try:
        return call(lambda c: c.v1.subscriptions.retrieve(subscription_id),
                    what="subscription retrieve")
    except StripeRequestError as exc:
        if is_missing(exc):
            return None
        raise


def subscription_set_quantity(*, subscription_id: str, item_id: str, quantity: int) -> Data:
    # Stripe prorates quantity changes by default (proration_behavior=create_prorations):
    # the next invoice charges or credits the unused time.
    params = {"items": [{"id": item_id, "quantity": quantity}]}
    return call(lambda c: c.v1.subscriptions.update(subscription_id, params=params),
                what="subscription quantity")


def subscription_set_price(*, subscription_id: str, item_id: str, price_id: str,
                           quantity: int) -> Data:
    """Move the subscription's item to another Price (a plan change), prorated."""
    params = {"items": [{"id": item_id, "price": price_id, "quantity": quantity}],
              "proration_behavior": "create_prorations"}
    return call(lambda c: c.v1.subscriptions.update(subscription_id, params=params),
                what="subscription plan change")


def subscription_cancel(subscription_id: str) -> Data | None:
    """Cancel now (a plan change replaced it); already cancelled or gone is fine."""
    try:
        return call(lambda c: c.v1.subscriptions.cancel(subscription_id),
                    what="subscription cancel")
    except StripeRequestError as exc:
        if is_missing(exc) or exc.http_status == 400:
            return None
        raise


# Invoices -----------------------------------------------------------------------------------

def invoices_for_customer(customer_id: str, *, limit: int = 12) -> list[Data]:
    page = call(
        lambda c: c.v1.invoices.list(params={"customer": customer_id, "limit": limit}),
        what="invoice list",
    )
    return list(page.get("data", []))


def invoice_retrieve(invoice_id: str) -> Data | None:
    try:
        return call(lambda c: c.v1.invoices.retrieve(invoice_id), what="invoice retrieve")
    except StripeRequestError as exc:
        if is_missing(exc):
            return None
        raise


def invoice_preview(*, customer_id: str, subscription_id: str) -> Data | None:
    """The upcoming invoice of a subscription (None when Stripe has nothing to preview)."""
    try:
        return call(
            lambda c: c.v1.invoices.create_preview(
                params={"customer": customer_id, "subscription": subscription_id}
            ),
            what="invoice preview",
        )
    except StripeRequestError as exc:
        if is_missing(exc) or exc.code == "invoice_upcoming_none":
            return None
        raise


# Checkout and the Billing Portal -----------------------------------------------------------

def checkout_session_create(
    *, customer_id: str, price_id: str, quantity: int, success_url: str, cancel_url: str,
    client_reference_id: str, metadata: dict[str, str],
) -> Data:
    params = {
        "mode": "subscription",
        "customer": customer_id,
        "client_reference_id": client_reference_id,
        "line_items": [{"price": price_id, "quantity": quantity}],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": metadata,
        # The subscription carries the tenant too: its events can be matched to the tenant
        # even when they arrive before checkout.session.completed.
        "subscription_data": {"metadata": metadata},
    }
    return call(lambda c: c.v1.checkout.sessions.create(params=params),
                what="checkout session")


def portal_session_create(*, customer_id: str, return_url: str) -> Data:
    params = {"customer": customer_id, "return_url": return_url}
    return call(lambda c: c.v1.billing_portal.sessions.create(params=params),
                what="billing portal session")


# Products and prices (sync_stripe_plans) ---------------------------------------------------

def product_retrieve(product_id: str) -> Data | None:
    try:
        return call(lambda c: c.v1.products.retrieve(product_id), what="product retrieve")
    except StripeRequestError as exc:
        if is_missing(exc):
            return None
        raise


def product_create(params: Data) -> Data:
    return call(lambda c: c.v1.products.create(params=params), what="product create")


def product_update(product_id: str, params: Data) -> Data:
    return call(lambda c: c.v1.products.update(product_id, params=params),
                what="product update")


def prices_by_lookup_keys(lookup_keys: list[str]) -> list[Data]:
    page = call(
        lambda c: c.v1.prices.list(
            params={"lookup_keys": lookup_keys, "limit": 100, "expand": ["data.tiers"]}
        ),
        what="price list",
    )
    return list(page.get("data", []))


def price_create(params: Data) -> Data:
    return call(lambda c: c.v1.prices.create(params=params), what="price create")


def price_archive(price_id: str) -> Data:
    return call(lambda c: c.v1.prices.update(price_id, params={"active": False}),
                what="price archive")
