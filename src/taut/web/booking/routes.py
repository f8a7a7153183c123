"""The booking pages' router: the public pages, the booking's link and the owner's settings."""

from __future__ import annotations

from fastapi import APIRouter

from taut.web.booking import manage, public, settings

router = APIRouter()
router.include_router(public.router)
router.include_router(manage.router)
router.include_router(settings.router)
