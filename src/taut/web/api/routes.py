"""The JSON API: every router of web/api under /api/v1. Authentication is the same session cookie as the
pages; every state-changing call sends the CSRF token in the X-CSRF-Token header (GET /api/v1/session
returns it)."""

from __future__ import annotations

import importlib

from fastapi import APIRouter

MODULES = (
    "taut.web.api.core",
    "taut.web.api.clients",
    "taut.web.api.intake",
    "taut.web.api.exam",
    "taut.web.api.amendments",
    "taut.web.api.sessions",
    "taut.web.api.progress",
    "taut.web.api.knowledge",
    "taut.web.api.documents",
    "taut.web.api.appointments",
    "taut.web.api.invitations",
)

router = APIRouter(prefix="/api/v1")
for _name in MODULES:
    router.include_router(importlib.import_module(_name).router)
