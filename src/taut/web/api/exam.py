"""API endpoints of this feature (being built)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from taut.web.deps import check_csrf

router = APIRouter(dependencies=[Depends(check_csrf)])
