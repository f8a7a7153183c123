"""The web app's defences: the signed session cookie, CSRF tokens, login throttling, security headers.

- Session: a cookie signed with the secret key (itsdangerous), HttpOnly, SameSite=Lax, Secure on https
  requests (or always, by setting). It holds the user id, the CSRF token and when it was last used; it
  expires after ``session_hours`` without activity.
- CSRF: every form carries the session's token in ``csrf_token``; every state-changing API call sends it
  in the ``X-CSRF-Token`` header. Compared in constant time.
- Headers: a strict content security policy (scripts and styles only from this site, no inline code),
  no framing, no sniffing, no referrer leaks, no caching of pages holding clinical data.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import defaultdict, deque
from pathlib import Path
from threading import Lock
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "taut_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
}
# The API docs page loads its script and styles from this site (see web/api/docs.py), so the same CSP holds.


def secret_key(configured: str | None, path: Path) -> str:
    """The configured key, or the one kept in ``path`` (made on first use, readable only by its owner)."""
    if configured:
        if len(configured) < 32:
            raise ValueError("TAUT_SECRET_KEY must be at least 32 characters")
        return configured
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if len(key) >= 32:
            return key
    from taut.store.files import ensure_dir, write_text

    ensure_dir(path.parent)
    key = secrets.token_urlsafe(48)
    write_text(path, key, replace=True)
    return key


class SessionMiddleware:
    """Loads ``scope["session"]`` (a dict) from the signed cookie and writes it back when it changed."""

    def __init__(self, app: ASGIApp, *, key: str, max_age_seconds: int, always_secure: bool) -> None:
        self.app = app
        self.serializer = URLSafeSerializer(key, salt="taut-session")
        self.max_age = max_age_seconds
        self.always_secure = always_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        session = self._load(conn.cookies.get(COOKIE))
        had_cookie = COOKIE in conn.cookies
        before = dict(session)
        scope["session"] = session
        secure = self.always_secure or scope.get("scheme") == "https"

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                current: dict[str, Any] = scope["session"]
                if current:
                    # Refresh the idle timer at most once a minute, or when something changed.
                    now = int(time.time())
                    if current != before or now - int(current.get("seen", 0)) > 60:
                        current["seen"] = now
                        headers.append("set-cookie", self._cookie(self.serializer.dumps(current), secure))
                elif had_cookie:
                    headers.append("set-cookie", self._cookie("", secure, expire=True))
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def _load(self, raw: str | None) -> dict[str, Any]:
        if not raw:
            return {}
        try:
            data = self.serializer.loads(raw)
        except BadSignature:
            return {}
        if not isinstance(data, dict) or time.time() - float(data.get("seen", 0)) > self.max_age:
            return {}
        return data

    def _cookie(self, value: str, secure: bool, *, expire: bool = False) -> str:
        parts = [f"{COOKIE}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
        parts.append("Max-Age=0" if expire else f"Max-Age={self.max_age}")
        if secure:
            parts.append("Secure")
        return "; ".join(parts)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope.get("path", "").startswith("/static/")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in HEADERS.items():
                    headers.setdefault(k, v)
                if scope.get("scheme") == "https":
                    headers.setdefault("strict-transport-security", "max-age=31536000")
                if not is_static:
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, send_wrapper)


def csrf_token(session: dict[str, Any]) -> str:
    """The session's CSRF token, made on first use."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(session: dict[str, Any], sent: str | None) -> bool:
    expected = session.get("csrf")
    return isinstance(expected, str) and isinstance(sent, str) and hmac.compare_digest(expected, sent)


class LoginThrottle:
    """Counts failed logins per e-mail and per client address in a sliding window. In memory, per process:
    with several worker processes each keeps its own count (the limit then applies per worker)."""

    def __init__(self, attempts: int, window_seconds: float) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures[key]
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def retry_after(self, *keys: str) -> int:
        """Seconds until a login may be tried again (0: now)."""
        now = time.monotonic()
        with self._lock:
            waits = [
                self.window - (now - q[0])
                for q in (self._recent(k, now) for k in keys)
                if len(q) >= self.attempts
            ]
        return int(max(waits)) + 1 if waits else 0

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._failures.pop(k, None)
