"""Billing test harness.

- ``localstripe_url``: a private localstripe (PyPI) on a free loopback port for the whole
  session (customers, plans, subscriptions, payment methods, invoices).
- ``stripe_stub``: a tiny HTTP server on loopback answering with Stripe's documented bodies
  for what localstripe lacks (Prices, Products by id, Checkout, the Billing Portal); it
  records every request so tests can check what was sent.
- ``stripe_on_localstripe`` / ``stripe_on_stub`` / ``stripe_unreachable``: point the Stripe
  client's settings at one of them (or at a closed port).
- ``signed``: Stripe's webhook signature scheme (t=..., v1=HMAC-SHA256(secret, "t.payload")).
"""

import hashlib
import hmac
import itertools
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe

WEBHOOK_SECRET = "whsec_test_billing_secret"
SECRET_KEY = "sk_test_billing_suite"

_LOCALSTRIPE = """
import sys
import localstripe.resources as resources
# Each test session gets its own store: never read or write /tmp/localstripe.pickle,
# which other localstripe processes on this machine share.
resources.Store.dump_to_disk = lambda self: None
from localstripe.server import start
sys.argv = ["localstripe", "--port", sys.argv[1], "--from-scratch"]
start()
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_answers(url: str, timeout: float = 30.0) -> None:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {SECRET_KEY}"})
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(request, timeout=1):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", _LOCALSTRIPE, str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answers(f"{url}/v1/customers")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _stripe_settings(settings: Any, base: str) -> None:
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_API_BASE = base
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_TIMEOUT = 5


@pytest.fixture
def stripe_on_localstripe(settings: Any, localstripe_url: str) -> str:
    _stripe_settings(settings, localstripe_url)
    return localstripe_url


@pytest.fixture
def stripe_unreachable(settings: Any) -> str:
    """Stripe's API base on a loopback port nobody listens on (connection refused)."""
    base = f"http://127.0.0.1:{_free_port()}"
    _stripe_settings(settings, base)
    return base


@pytest.fixture
def raw_stripe(localstripe_url: str) -> stripe.StripeClient:
    """Direct access to localstripe for arranging scenarios (what a customer would do)."""
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe_url},
                               max_network_retries=0)


# The stub for Prices, Products, Checkout and the Billing Portal ----------------------------

@dataclass
class StubRequest:
    method: str
    path: str
    params: dict[str, str]


@dataclass
class StripeStub:
    url: str
    requests: list[StubRequest] = field(default_factory=list)
    products: dict[str, dict] = field(default_factory=dict)
    prices: dict[str, dict] = field(default_factory=dict)
    # (method, path) -> (status, body) overrides, e.g. a 500 from Stripe.
    overrides: dict[tuple[str, str], tuple[int, dict]] = field(default_factory=dict)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    # Seconds to wait before answering (a Stripe that times out).
    delay: float = 0.0

    def sent(self, method: str, path: str) -> list[StubRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]


def _missing(kind: str, ident: str) -> tuple[int, dict]:
    return 404, {"error": {"code": "resource_missing", "doc_url":
                           "https://stripe.com/docs/error-codes/resource-missing",
                           "message": f"No such {kind}: '{ident}'", "param": "id",
                           "type": "invalid_request_error"}}


def _tiers(params: dict[str, str]) -> list[dict]:
    tiers = []
    for index in itertools.count():
        prefix = f"tiers[{index}]"
        if f"{prefix}[up_to]" not in params:
            return tiers
        up_to = params[f"{prefix}[up_to]"]
        tiers.append({
            "flat_amount": int(params.get(f"{prefix}[flat_amount]", 0)) or None,
            "flat_amount_decimal": params.get(f"{prefix}[flat_amount]"),
            "unit_amount": int(params.get(f"{prefix}[unit_amount]", 0)),
            "unit_amount_decimal": params.get(f"{prefix}[unit_amount]"),
            "up_to": None if up_to == "inf" else int(up_to),
        })
    return tiers


def _route(stub: StripeStub, method: str, path: str, params: dict[str, str]) -> tuple[int, dict]:
    if (method, path) in stub.overrides:
        return stub.overrides[(method, path)]
    now = int(time.time())
    if method == "POST" and path == "/v1/customers":
        # https://docs.stripe.com/api/customers/object
        return 200, {"id": f"cus_stub{next(stub.ids)}", "object": "customer", "created": now,
                     "email": params.get("email"), "name": params.get("name"),
                     "livemode": False, "metadata": {
                         k[9:-1]: v for k, v in params.items() if k.startswith("metadata[")}}
    if method == "POST" and path == "/v1/checkout/sessions":
        # https://docs.stripe.com/api/checkout/sessions/object
        ident = f"cs_test_a1{next(stub.ids)}"
        return 200, {
            "id": ident, "object": "checkout.session", "mode": "subscription",
            "status": "open", "payment_status": "unpaid", "livemode": False,
            "customer": params.get("customer"),
            "client_reference_id": params.get("client_reference_id"),
            "success_url": params.get("success_url"), "cancel_url": params.get("cancel_url"),
            "url": f"https://checkout.stripe.com/c/pay/{ident}",
            "expires_at": now + 86400, "created": now, "subscription": None,
            "metadata": {k[9:-1]: v for k, v in params.items() if k.startswith("metadata[")},
        }
    if method == "POST" and path == "/v1/billing_portal/sessions":
        # https://docs.stripe.com/api/customer_portal/sessions/object
        return 200, {
            "id": f"bps_1{next(stub.ids)}", "object": "billing_portal.session",
            "configuration": "bpc_1stub", "created": now, "customer": params.get("customer"),
            "livemode": False, "locale": None, "on_behalf_of": None,
            "return_url": params.get("return_url"),
            "url": "https://billing.stripe.com/p/session/test_YWNjdF8x",
        }
    if path.startswith("/v1/products"):
        ident = path.removeprefix("/v1/products").strip("/")
        if method == "GET":
            return (200, stub.products[ident]) if ident in stub.products else _missing(
                "product", ident)
        body = stub.products.get(ident or params.get("id", ""), {
            "id": params.get("id") or f"prod_{next(stub.ids)}", "object": "product",
            "created": now, "livemode": False, "metadata": {}})
        body.update({"name": params.get("name", body.get("name")),
                     "active": params.get("active", "true") == "true"})
        stub.products[body["id"]] = body
        return 200, body
    if path == "/v1/prices" and method == "GET":
        keys = {v for k, v in params.items() if k.startswith("lookup_keys[")}
        data = [p for p in stub.prices.values() if p.get("lookup_key") in keys]
        return 200, {"object": "list", "data": data, "has_more": False, "url": "/v1/prices"}
    if path == "/v1/prices" and method == "POST":
        key = params.get("lookup_key")
        if key and params.get("transfer_lookup_key") == "true":
            for price in stub.prices.values():
                if price.get("lookup_key") == key:
                    price["lookup_key"] = None
        ident = f"price_{next(stub.ids)}"
        stub.prices[ident] = {
            "id": ident, "object": "price", "active": True, "billing_scheme": "tiered",
            "created": now, "currency": params.get("currency"), "livemode": False,
            "lookup_key": key, "product": params.get("product"), "type": "recurring",
            "recurring": {"interval": params.get("recurring[interval]"), "interval_count": 1,
                          "usage_type": "licensed"},
            "tiers_mode": params.get("tiers_mode"), "tiers": _tiers(params),
            "unit_amount": None, "metadata": {},
        }
        return 200, stub.prices[ident]
    if path.startswith("/v1/prices/") and method == "POST":
        ident = path.rsplit("/", 1)[1]
        stub.prices[ident]["active"] = params.get("active", "true") == "true"
        return 200, stub.prices[ident]
    return 404, {"error": {"type": "invalid_request_error",
                           "message": f"Unrecognized request URL ({method}: {path})."}}


@pytest.fixture(scope="session")
def _stub_server() -> Iterator[tuple[ThreadingHTTPServer, list[StripeStub]]]:
    current: list[StripeStub] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            stub = current[-1]
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            params = dict(parse_qsl(split.query)) | dict(parse_qsl(body))
            stub.requests.append(StubRequest(self.command, split.path, params))
            if stub.delay:
                time.sleep(stub.delay)
            status, payload = _route(stub, self.command, split.path, params)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_stub{len(stub.requests)}")
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _answer  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, current
    server.shutdown()
    server.server_close()


@pytest.fixture
def stripe_stub(_stub_server: tuple[ThreadingHTTPServer, list[StripeStub]],
                settings: Any) -> StripeStub:
    server, current = _stub_server
    stub = StripeStub(url=f"http://127.0.0.1:{server.server_address[1]}")
    current.append(stub)
    _stripe_settings(settings, stub.url)
    return stub


# Webhooks ------------------------------------------------------------------------------------

def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header as Stripe computes it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed_payload = f"{timestamp}.{payload.decode()}".encode()
    digest = hmac.new(secret.encode(), signed_payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


_event_ids = itertools.count(1)


def make_event(event_type: str, obj: dict, *, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_test_{int(time.time())}_{next(_event_ids)}",
        "object": "event", "type": event_type, "created": int(time.time()),
        "livemode": False, "api_version": "2017-08-15", "data": {"object": obj},
    }


@pytest.fixture
def post_event(public_client: Any, django_capture_on_commit_callbacks: Any) -> Callable:
    """POST an event to the webhook, signed, and run what it queued (Celery is eager)."""

    def post(event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None,
             body: bytes | None = None) -> Any:
        payload = body if body is not None else json.dumps(event).encode()
        with django_capture_on_commit_callbacks(execute=True):
            return public_client.post(
                "/billing/stripe/webhook/", data=payload, content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sign(json.dumps(event).encode() if body is not None
                                           else payload, secret=secret, timestamp=timestamp),
            )

    return post
