"""Inquiry test helpers: rate-limit counters live in Redis (not rolled back with the test),
so each inquiry test starts from an empty cache (``fresh_rate_limits``, used as an autouse
fixture by the inquiry tests); ``form_data`` is a form that was shown long enough ago."""

import time
import uuid
from collections.abc import Iterator

import pytest
from django.core.cache import caches

from portal.inquiries import spam


@pytest.fixture
def fresh_rate_limits() -> Iterator[None]:
    caches["default"].clear()
    yield
    caches["default"].clear()


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Anna Schmidt", "company": "Schmidt Maschinenbau GmbH",
        "email": f"anna.{uuid.uuid4().hex[:8]}@schmidt.example", "phone": "+49 30 1234567",
        "product_interest": "Gateway G10", "message": "Please send a quote for 40 gateways.",
        "website": "", "started": spam.started_token(now=time.time() - 30),
    }
    data.update(overrides)
    return data


def api_data(**overrides: str) -> dict[str, str]:
    data = form_data(**overrides)
    data.pop("started")
    data.pop("website")
    return data
