"""A real HTTP server on 127.0.0.1 standing in for an SMS gateway: Apprise's ``json://`` notifications are
POSTed to it and recorded. ``answers`` is the list of status codes to give next (then 200): ``[500]`` makes
the first attempt fail."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Posted:
    path: str
    body: dict[str, Any]


@dataclass
class SmsPeer:
    port: int
    received: list[Posted] = field(default_factory=list)  # the 2xx-answered posts
    refused: list[Posted] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """TAUT_SMS_URL for this peer: the number goes into the JSON body as ``to``."""
        return f"json://127.0.0.1:{self.port}/sms?:to={{to}}"

    def clear(self) -> None:
        with self.lock:
            self.received.clear()
            self.refused.clear()
            self.answers.clear()


def _handler(peer: SmsPeer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            posted = Posted(self.path, json.loads(self.rfile.read(size) or b"{}"))
            with peer.lock:
                code = peer.answers.pop(0) if peer.answers else 200
                (peer.received if code < 300 else peer.refused).append(posted)
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return Handler


@pytest.fixture
def sms_peer() -> Iterator[SmsPeer]:
    peer = SmsPeer(port=0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(peer))
    peer.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield peer
    finally:
        server.shutdown()
        server.server_close()
