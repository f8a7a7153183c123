"""The FastAPI application: middleware, error pages, static files and every feature's routes."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from taut import __version__
from taut.clinic.appointments import SlotTaken
from taut.clinic.errors import (
    AccessDenied,
    AuthenticationError,
    ClinicError,
    NotFound,
    RecordValidationError,
    SignedRecordError,
    StaleRecordError,
    TooManyAttempts,
    TreatmentBlocked,
)
from taut.settings import Settings
from taut.store.engine import Database
from taut.web import assets
from taut.web.api import docs as api_docs
from taut.web.deps import CsrfFailed, MustAct, NotSignedIn
from taut.web.input_guard import check_input
from taut.web.limits import BodyLimitMiddleware
from taut.web.security import SecurityHeadersMiddleware, SessionMiddleware, install_secret, trusted_networks
from taut.web.templating import HERE, render

log = logging.getLogger("taut.web")

# Pages are gzipped per response at level 1: half the CPU of level 4 on a 110 KB form page for about 15 % more
# bytes (the intake form: 18.5 KB instead of 16.5 KB; docs/performance.md).
GZIP_LEVEL = 1

# Each feature folder has a ``routes`` module with a ``router``; the API's modules live under web/api.
FEATURES = (
    "taut.web.auth.routes",
    "taut.web.clients.routes",
    "taut.web.intake.routes",
    "taut.web.intake.amend",
    "taut.web.exam.routes",
    "taut.web.exam.amend",  # after exam.routes: /exam/new is not an examination id
    "taut.web.conductor.routes",
    "taut.web.progress.routes",
    "taut.web.atlas.routes",
    "taut.web.documents.routes",
    "taut.web.team.routes",
    "taut.web.appointments.routes",
    "taut.web.account.routes",
    "taut.web.settings.routes",
    "taut.web.portal.routes",
    "taut.web.booking.routes",
    "taut.web.api.routes",
    "taut.web.health.routes",
)


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="Taut",
        version=__version__,
        summary="Neuromuscular (trigger-point) therapy: body map, suggestions, records.",
        docs_url=None,  # served by web/api/docs.py from this site
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_url="/api/v1/openapi.json",
        dependencies=[Depends(check_input)],  # oversized numbers and unstorable text: 422 naming the field
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.db = db or Database.from_url(settings.url, echo=settings.database_echo)
    app.state.trusted_proxies = trusted_networks(settings.trusted_proxies)
    app.state.session_key = install_secret(settings, app.state.db)
    for name in FEATURES:
        app.include_router(importlib.import_module(name).router)
    app.include_router(api_docs.router)
    api_docs.mount_assets(app)
    app.include_router(assets.router)  # versioned, long-cached, pre-compressed: /assets/css/taut.<hash>.css
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(AnswerUnexpectedErrors)  # innermost: its 500 still gets the security headers
    app.add_middleware(
        SessionMiddleware,
        key=app.state.session_key,
        always_secure=settings.cookie_secure,
    )
    app.add_middleware(BodyLimitMiddleware)  # 1 MB, 50 MB for imports, counted on the stream
    app.add_middleware(SecurityHeadersMiddleware)
    # Pages are compressed per response; the static files under /assets/ are compressed once (web/assets.py).
    app.add_middleware(GZipMiddleware, minimum_size=2000, compresslevel=GZIP_LEVEL)
    _error_handlers(app)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """While the server runs: the e-mail worker delivers the outbox in the background (when SMTP is set)."""
    settings: Settings = app.state.settings
    worker = None
    if settings.smtp_url and settings.mail_worker:
        from taut.services import mail

        config = mail.SmtpConfig.from_url(settings.smtp_url, settings.mail_from)
        worker = mail.MailWorker(app.state.db, config, settings.mail_interval_seconds)
        worker.start()
    app.state.mail_worker = worker
    sms_worker = None
    if settings.sms_url and settings.mail_worker:  # SMS reminders through Apprise, from the same outbox
        from taut.services import sms

        sms_worker = sms.SmsWorker(
            app.state.db, sms.SmsConfig.from_url(settings.sms_url), settings.mail_interval_seconds
        )
        sms_worker.start()
    reminders = None
    if (settings.smtp_url or settings.sms_url) and settings.mail_worker:  # reminders go through the outbox
        from taut.services.reminders import ReminderWorker, link_key

        key = link_key(app.state.session_key)
        reminders = ReminderWorker(app.state.db, key, settings.base_url, sms=bool(settings.sms_url))
        reminders.start()
    follow_up = None
    if settings.smtp_url and settings.mail_worker:  # the 48-hour check-ins and reassessment questionnaires
        from taut.clinic.portal import link_key as portal_key
        from taut.services.follow_up import FollowUpWorker

        follow_up = FollowUpWorker(app.state.db, portal_key(app.state.session_key), settings.base_url)
        follow_up.start()
    try:
        yield
    finally:
        if worker is not None:
            worker.stop()
        if sms_worker is not None:
            sms_worker.stop()
        if reminders is not None:
            reminders.stop()
        if follow_up is not None:
            follow_up.stop()


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _problem(
    request: Request, status: int, message: str, *, field: str | None = None, **extra: Any
) -> Response:
    if _is_api(request):
        body: dict[str, Any] = {"error": {"status": status, "message": message}}
        if field:
            body["error"]["field"] = field
        body["error"].update(extra)
        return JSONResponse(body, status_code=status)
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)


STATUS: list[tuple[type[ClinicError], int]] = [
    (NotFound, 404),
    (AccessDenied, 403),
    (RecordValidationError, 422),
    (StaleRecordError, 409),
    (SlotTaken, 409),
    (SignedRecordError, 409),
    (TreatmentBlocked, 409),
    (AuthenticationError, 401),
]


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _is_api(request):
            return JSONResponse({"error": {"status": 401, "message": "sign in first"}}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        return _problem(
            request, 403, "the form has expired or did not come from this site: reload the page and try again"
        )

    @app.exception_handler(MustAct)
    async def must_act(request: Request, exc: MustAct) -> Response:
        if _is_api(request):
            return JSONResponse({"error": {"status": 403, "message": exc.message}}, status_code=403)
        return RedirectResponse(exc.where, status_code=303)

    @app.exception_handler(ClinicError)
    async def clinic_error(request: Request, exc: ClinicError) -> Response:
        status = next((code for kind, code in STATUS if isinstance(exc, kind)), 400)
        if isinstance(exc, NotFound):
            _audit_probe(request, exc)
        if isinstance(exc, TooManyAttempts):
            response = _problem(request, 429, str(exc))
            response.headers["retry-after"] = str(exc.retry_after)
            return response
        field = exc.field if isinstance(exc, RecordValidationError) else None
        return _problem(request, status, str(exc), field=field)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        message, where = _first_invalid(exc)
        return _problem(request, 422, message, field=where)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = "there is no page at this address"
        response = _problem(request, exc.status_code, message)
        for k, v in (exc.headers or {}).items():
            response.headers[k] = v
        return response

    @app.exception_handler(RecursionError)
    async def too_deep(request: Request, exc: RecursionError) -> Response:
        return _problem(request, 400, "the request is nested too deeply to be read")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _problem(request, 500, "something went wrong on our side; nothing was saved by this request")


def _first_invalid(exc: RequestValidationError) -> tuple[str, str | None]:
    """(the message, the field) of the first problem pydantic found in a request."""
    first = exc.errors()[0] if exc.errors() else {}
    loc = tuple(first.get("loc", ()))
    if loc and loc[0] in ("body", "query", "path", "header", "cookie"):
        loc = loc[1:]  # where it came from; a field may itself be called "body"
    where = ".".join(str(p) for p in loc)
    message = f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid input"))
    return message, where or None


def _audit_probe(request: Request, exc: NotFound) -> None:
    """A signed-in user asked for a record that is not theirs to see (missing, or another clinic's): audited
    with the address asked for, so an owner can spot someone probing ids."""
    from taut.services import accounts

    user = getattr(request.state, "user", None)
    if user is None:
        return
    try:
        accounts.record_probe(request.app.state.db, user, exc, f"{request.method} {request.url.path}")
    except Exception:  # the refusal matters more than its audit row
        log.exception("could not audit a refused id")


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


class AnswerUnexpectedErrors:
    """An error no handler answers becomes the 500 page (or JSON) here, and goes no further: Starlette's
    outermost middleware would answer it too but then re-raise it, and the server closes the connection of
    an exception it sees, so the browser's next request on that connection would be reset."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            request = Request(scope)
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            if started:  # part of the answer is sent: nothing more can be said on this connection
                raise
            response = _problem(
                request, 500, "something went wrong on our side; nothing was saved by this request"
            )
            await response(scope, receive, send)
