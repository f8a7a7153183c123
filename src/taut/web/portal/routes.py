"""The client's own side: the link pages (web/portal/links.py, no account) and the therapist's side
(web/portal/staff.py, signed in)."""

from __future__ import annotations

from fastapi import APIRouter

from taut.web.portal import intake_pages, intake_review, links, records, staff

router = APIRouter()
router.include_router(links.router)
router.include_router(intake_pages.router)
router.include_router(staff.router)
router.include_router(intake_review.router)
router.include_router(records.router)
