"""The billing suite's Stripe stand-ins, for the operator console's plan and billing tests."""

from tests.billing.conftest import (  # noqa: F401
    _stub_server,
    stripe_stub,
    stripe_unreachable,
)
