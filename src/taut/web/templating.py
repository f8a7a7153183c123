"""Jinja2 templates with what every page needs: the user, the CSRF token, names of regions and muscles."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from taut.clinic.people import Clinic, Permission, User
from taut.reports.content import capital
from taut.web.security import csrf_token

HERE = Path(__file__).parent
LOCAL = ZoneInfo("UTC")


@cache
def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(HERE / "templates"))
    env = t.env
    env.globals.update(
        region_name=region_name,
        muscle_name=muscle_name,
        trp_name=trp_name,
        technique_name=technique_name,
        Permission=Permission,
    )
    env.filters.update(day=_day, when=_when, side=_side)
    from taut.web.bodymap import register_globals

    register_globals(env)
    env.trim_blocks = True
    env.lstrip_blocks = True
    return t


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    user: User | None = getattr(request.state, "user", None)
    ctx: dict[str, Any] = {
        "user": user,
        "clinic": getattr(request.state, "clinic", None),
        "csrf_token": csrf_token(request.scope["session"]),
        "clinical": bool(user and user.can(Permission.READ_CLINICAL)),
        "path": request.url.path,
    }
    ctx.update(context or {})
    return templates().TemplateResponse(request, name, ctx, status_code=status_code)


@cache
def time_zones() -> list[str]:
    """Every Area/City time zone name, for the set-up and settings forms."""
    from zoneinfo import available_timezones

    return sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


def parse_day(text: str, clinic: Clinic | None, *, field: str) -> date | None:
    """A date typed in the clinic's format (31/12/2025, 12/31/2025 or 2025-12-31); ISO is always accepted."""
    from taut.clinic.dates import parse_day as parse

    return parse(text, clinic.date_format if clinic is not None else "ymd", field=field)


def region_name(key: str) -> str:
    """ "head.temple:right" or a RegionRef -> "Temple (right)"."""
    from taut.anatomy.regions import body_map

    text = str(key)
    region, _, side = text.partition(":")
    r = body_map().regions.get(region)
    name = r.name if r is not None else region
    return f"{name} ({side})" if side else name


def muscle_name(muscle: str) -> str:
    """A muscle's display name from its canonical name, alias or slug ("upper_trapezius" -> "Upper trapezius")."""
    from taut.knowledge import knowledge

    try:
        name = knowledge().muscle(muscle).name
    except LookupError:
        name = muscle.replace("_", " ")
    return capital(name)


def trp_label(trp_id: str) -> str:
    """ "upper_trapezius.trp1" -> "TrP1"."""
    return trp_id.partition(".")[2].upper().replace("TRP", "TrP")


def trp_name(trp_id: str) -> str:
    """ "upper_trapezius.trp1" -> "Upper trapezius TrP1"."""
    muscle, _, trp = trp_id.partition(".")
    return f"{muscle_name(muscle)} {trp_label(trp_id)}" if trp else muscle_name(muscle)


def technique_name(technique_id: str) -> str:
    from taut.knowledge import knowledge

    t = knowledge().techniques.get(technique_id)
    return t.name if t is not None else technique_id.replace("_", " ")


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL).date()
    return value.strftime("%d %b %Y").lstrip("0")


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(LOCAL).strftime("%d %b %Y, %H:%M").lstrip("0")


def _side(value: object) -> str:
    return "" if value is None else str(getattr(value, "value", value))
