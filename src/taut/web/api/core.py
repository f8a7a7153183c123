"""Health, the signed-in user and the session's CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from taut import __version__
from taut.web.deps import CurrentUser, session_of
from taut.web.security import csrf_token

router = APIRouter(tags=["core"])


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness: answers without touching the database (the trivial endpoint of the benchmark)."""
    return {"status": "ok", "version": __version__}


@router.get("/session")
def session_info(request: Request, user: CurrentUser) -> dict[str, Any]:
    """The signed-in user and the CSRF token to send as X-CSRF-Token on POST, PUT, PATCH and DELETE."""
    return {
        "user": {"id": user.id, "name": user.name, "email": user.email, "role": user.role.value},
        "clinic_id": user.clinic_id,
        "csrf_token": csrf_token(session_of(request)),
    }
