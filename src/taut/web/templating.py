"""Jinja2 templates with what every page needs: the user, the CSRF token, names of regions and muscles."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from taut.clinic.factors import FACTORS
from taut.clinic.naming import (
    capital,
    date_time,
    muscle_name,
    region_name,
    short_date,
    side_name,
    technique_name,
    trp_label,
    trp_name,
)
from taut.clinic.people import Clinic, Permission, User
from taut.web.security import csrf_token

__all__ = ["muscle_name", "region_name", "render", "technique_name", "templates", "trp_label", "trp_name"]

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
        factor_groups=FACTORS,
    )
    env.filters.update(day=_day, when=_when, side=side_name, capital=capital)
    from taut.web.bodymap import register_globals
    from taut.web.forms import JINJA_GLOBALS as FORM_GLOBALS

    env.globals.update(FORM_GLOBALS)
    register_globals(env)
    from taut.web.assets import VersionedStatic, asset_url

    env.add_extension(VersionedStatic)  # /static/css/x.css in a template: its versioned, long-cached URL
    env.globals["asset_url"] = asset_url
    env.globals["fragment"] = fragment
    env.trim_blocks = True
    env.lstrip_blocks = True
    # Templates are files of the package: compiled once per process, never checked for changes on disk again
    # (a stat of every template, base and macro file on each render otherwise). ``taut serve --reload``-style
    # development restarts the process to see an edited template.
    env.auto_reload = False
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


# Blank fragments of forms, rendered once per process (see ``fragment``). Only knowledge goes into them.
_BLANK: dict[tuple[Hashable, ...], Markup] = {}
BLANK_FRAGMENTS = True  # tests switch it off to compare every page with and without


@pass_context
def fragment(ctx: Context, name: str, *, blank: bool, key: Hashable, **values: Any) -> Markup:
    """The template ``name`` rendered in place, like ``{% include %}``.

    A form page repeats large parts that depend only on the knowledge base while the form is blank (the
    examination's table of every trigger point of a muscle, the range-of-motion rows, the intake's safety
    questions and symptom lists): tens of kilobytes of markup per page. When the page says the fragment is
    ``blank`` (nothing typed into it, no error), it is rendered once per process from ``values`` alone, with
    an empty ``form`` and no ``error`` (the page's own context, its client or user, never reaches it) and
    kept under ``key``; otherwise it is
    rendered with the page's context and ``values``, every time. ``tests/web/test_fragments.py`` renders
    every such page both ways and compares them."""
    template = ctx.environment.get_template(name)
    if blank and BLANK_FRAGMENTS:
        cache_key = (name, key)
        found = _BLANK.get(cache_key)
        if found is None:
            found = Markup(template.render({"form": {}, "error": None, **values}))
            if len(_BLANK) < 10_000:  # keys come from the knowledge base; the bound is a safety net
                _BLANK[cache_key] = found
        return found
    return Markup(template.render({**ctx.get_all(), **values}))


@cache
def time_zones() -> list[str]:
    """Every Area/City time zone name, for the set-up and settings forms."""
    from zoneinfo import available_timezones

    return sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


def parse_day(text: str, clinic: Clinic | None, *, field: str) -> date | None:
    """A date typed in the clinic's format (31/12/2025, 12/31/2025 or 2025-12-31); ISO is always accepted."""
    from taut.clinic.dates import parse_day as parse

    return parse(text, clinic.date_format if clinic is not None else "ymd", field=field)


def zone_of(ctx: Context | Mapping[str, Any]) -> ZoneInfo:
    """The time zone a page shows times in: its clinic's (every time is stored in UTC)."""
    clinic = ctx.get("clinic")
    return ZoneInfo(clinic.timezone) if isinstance(clinic, Clinic) else LOCAL


def locale_of(ctx: Context | Mapping[str, Any]) -> str | None:
    """The locale a page writes dates in: its clinic's ("Mar 3, 2025, 2:05 PM" in en-US)."""
    clinic = ctx.get("clinic")
    return clinic.locale if isinstance(clinic, Clinic) else None


@pass_context
def _day(ctx: Context, value: date | datetime | None) -> str:
    return short_date(value, zone_of(ctx), locale_of(ctx))


@pass_context
def _when(ctx: Context, value: datetime | None) -> str:
    return date_time(value, zone_of(ctx), locale_of(ctx))
