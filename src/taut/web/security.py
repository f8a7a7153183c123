"""The web app's defences: the signed session cookie, CSRF tokens, login throttling, security headers.

- Session: once signed in, the cookie holds only an opaque random token; the session itself (user, when it
  started, when it was last used, whether it ended) is a row of ``web_sessions`` (services.accounts), so
  sign-out, deactivation and a password change end it at once on every server process. Before sign-in, a
  small cookie signed with the secret key (itsdangerous) carries the sign-in form's CSRF token.
  HttpOnly, SameSite=Lax, Secure on https requests (or always, by setting).
- Client address: ``client_address`` believes ``X-Forwarded-For`` only from a proxy listed in
  ``TAUT_TRUSTED_PROXIES``.
- CSRF: every form carries the session's token in ``csrf_token``; every state-changing API call sends it
  in the ``X-CSRF-Token`` header. Compared in constant time.
- Headers: a strict content security policy (scripts and styles only from this site, no inline code),
  no framing, no sniffing, no referrer leaks, no caching of pages holding clinical data.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from pathlib import Path
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


def install_secret(settings: Any, db: Any) -> str:
    """The install's one secret (sessions, signed links): TAUT_SECRET_KEY; else the key kept in the database,
    so every app server and command on it signs alike; else, before the schema exists, the key file."""
    if settings.secret_key:
        return secret_key(settings.secret_key, settings.secret_key_path)
    from taut.store.meta import shared_secret

    return shared_secret(db.engine) or secret_key(None, settings.secret_key_path)


TOKEN_PREFIX = "s."  # a signed-in cookie: "s." + an opaque random token (the session lives in the database)
ANONYMOUS_MAX_AGE = 2 * 3600  # a visitor's signed cookie (CSRF token, a pending second factor)
SIGNED_IN_MAX_AGE = 12 * 3600  # the absolute lifetime; the idle limit is kept on the server


def csrf_for(key: str, token: str) -> str:
    """The CSRF token of a signed-in session: derived from its cookie token, so no process needs to store it."""
    return hmac.new(key.encode(), b"csrf:" + token.encode(), hashlib.sha256).hexdigest()


class SessionMiddleware:
    """Loads ``scope["session"]`` (a dict) from the cookie and writes the cookie back when it changed.

    - Signed in: the cookie is ``s.<token>``; ``session["token"]`` holds it, ``session["csrf"]`` its CSRF token.
      Whether the token is still good (not signed out, not idle, user active) is decided by the database in
      ``web.deps.current_user``, so every server process agrees.
    - Not signed in: a small signed cookie (itsdangerous) with the CSRF token of the sign-in form and, between
      the password and the second factor, who is signing in.
    """

    def __init__(
        self, app: ASGIApp, *, key: str, max_age_seconds: int = ANONYMOUS_MAX_AGE, always_secure: bool
    ) -> None:
        self.app = app
        self.key = key
        self.serializer = URLSafeSerializer(key, salt="taut-session")
        self.max_age = max_age_seconds
        self.always_secure = always_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope.get("path", "").startswith("/assets/"):
            await self.app(scope, receive, send)  # public, shared-cacheable files never carry a cookie
            return
        conn = HTTPConnection(scope)
        raw = conn.cookies.get(COOKIE)
        session = self._load(raw)
        before = dict(session)
        scope["session"] = session
        secure = self.always_secure or scope.get("scheme") == "https"

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                current: dict[str, Any] = scope["session"]
                token = current.get("token")
                if isinstance(token, str):
                    if token != before.get("token"):
                        headers.append(
                            "set-cookie", self._cookie(TOKEN_PREFIX + token, secure, SIGNED_IN_MAX_AGE)
                        )
                elif current:
                    now = int(time.time())
                    if current != before or now - int(current.get("seen", 0)) > 60:
                        current["seen"] = now
                        value = self.serializer.dumps(current)
                        headers.append("set-cookie", self._cookie(value, secure, self.max_age))
                elif raw is not None:
                    headers.append("set-cookie", self._cookie("", secure, 0))
            await send(message)

        from taut.web import clock

        started = clock.begin_request()
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            clock.end_request(started)

    def _load(self, raw: str | None) -> dict[str, Any]:
        if not raw:
            return {}
        if raw.startswith(TOKEN_PREFIX):
            token = raw[len(TOKEN_PREFIX) :]
            if not 20 <= len(token) <= 100:
                return {}
            return {"token": token, "csrf": csrf_for(self.key, token)}
        try:
            data = self.serializer.loads(raw)
        except BadSignature:
            return {}
        if (
            not isinstance(data, dict)
            or "token" in data
            or time.time() - float(data.get("seen", 0)) > self.max_age
        ):
            return {}
        return data

    def _cookie(self, value: str, secure: bool, max_age: int) -> str:
        parts = [f"{COOKIE}={value}", "Path=/", "HttpOnly", "SameSite=Lax", f"Max-Age={max_age}"]
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


def trusted_networks(setting: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``TAUT_TRUSTED_PROXIES``: addresses or networks separated by commas ("127.0.0.1, 10.0.0.0/8")."""
    out = []
    for part in setting.split(","):
        if part.strip():
            try:
                out.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                raise ValueError(
                    f"TAUT_TRUSTED_PROXIES: {part.strip()!r} is not an address or network"
                ) from None
    return tuple(out)


def _trusted(address: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_address(
    peer: str | None,
    forwarded_for: str | None,
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...],
) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the nearest address in
    ``X-Forwarded-For`` that is not itself a trusted proxy (addresses further left could be forged)."""
    address = peer or "unknown"
    if not forwarded_for or not _trusted(address, networks):
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        address = hop
        if not _trusted(hop, networks):
            break
    return address[:64]
