"""A real HTTP receiver on loopback (threaded http.server) that checks each request with the
signature recipe the README documents, and helpers to catch domain events."""

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crm.core import events

README = Path(__file__).resolve().parents[3] / "README.md"


def documented_verifier() -> Callable[..., bool]:
    """``verify_northwind_signature`` exactly as the README shows it (executed from there)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Outbound webhooks: verifying a signature", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict[str, Any] = {}
    exec(compile(code, str(README), "exec"), namespace)
    return namespace["verify_northwind_signature"]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int
    requests: list[Received] = field(default_factory=list)
    # Status codes answered in turn; the last one repeats.
    statuses: list[int] = field(default_factory=lambda: [200])
    answer: bytes = b'{"ok": true}'

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/crm?source=test"

    def url_for(self, host: str) -> str:
        return f"http://{host}:{self.port}/hooks/crm"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.requests.append(Received(path=self.path, headers=dict(self.headers),
                                           body=body))
            index = min(len(state.requests), len(state.statuses)) - 1
            self.send_response(state.statuses[index])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.answer)))
            self.end_headers()
            self.wfile.write(state.answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def caught_events() -> Iterator[list[events.DomainEvent]]:
    """Every event dispatched during the test (dispatch happens after commit)."""
    caught: list[events.DomainEvent] = []
    events._subscribers["*"].append(caught.append)
    try:
        yield caught
    finally:
        events._subscribers["*"].remove(caught.append)
