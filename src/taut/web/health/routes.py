"""``/healthz`` (the process answers) and ``/readyz`` (the database answers and its schema is current), for a
load balancer, a container orchestrator or a monitor. No sign-in, no session, no user is loaded, and nothing
is revealed beyond ready or not."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers={"cache-control": "no-store"})


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    from taut.store import migrate

    try:
        db = request.app.state.db
        ready = migrate.current_revision(db.engine) == migrate.head_revision()
    except Exception:  # the database is unreachable: not ready, and no detail leaves the server
        ready = False
    return JSONResponse(
        {"status": "ready" if ready else "not ready"},
        status_code=200 if ready else 503,
        headers={"cache-control": "no-store"},
    )
