"""The request-body limit, enforced on the stream: a body longer than the limit is refused with 413 whether
it announces its length (Content-Length, refused before a byte is read) or not (chunked: refused as soon as
the count passes the limit, before the application sees the rest). 1 MB for every route, 50 MB for the
import routes."""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MB = 1024 * 1024
DEFAULT_LIMIT = 1 * MB
IMPORT_LIMIT = 50 * MB
# Routes that take an import file.
IMPORT_ROUTES = (re.compile(r"^/api/v1/fhir/import$"), re.compile(r"^(/api/v1)?/import(/.*)?$"))


def limit_for(path: str) -> int:
    return IMPORT_LIMIT if any(p.match(path) for p in IMPORT_ROUTES) else DEFAULT_LIMIT


def too_large(limit: int) -> str:
    return f"the request is too large: at most {limit // MB} MB"


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit; the app's error handlers answer 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large(limit))


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, limit)(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _refuse(scope: Scope, limit: int) -> JSONResponse | PlainTextResponse:
    message = too_large(limit)
    if scope.get("path", "").startswith("/api/"):
        return JSONResponse({"error": {"status": 413, "message": message}}, status_code=413)
    return PlainTextResponse(message, status_code=413)
