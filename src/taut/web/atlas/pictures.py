"""The atlas's referral pictures as static files (``/assets/atlas/muscle-<slug>-<side>.<hash>.svg``,
``/assets/atlas/condition-<id>.<hash>.svg``): drawn from the knowledge base, which does not change while the
server runs, so each is a versioned, long-cached, pre-compressed file (web/assets.py) that the page shows with an
``<img>`` and its text alternative, instead of half a megabyte of inline SVG on every page."""

from __future__ import annotations

import re
from html import escape

from markupsafe import Markup

from taut.anatomy.regions import Side
from taut.clinic.naming import capital
from taut.knowledge import knowledge
from taut.reasoning.pictures import combined_figure, muscle_figure
from taut.web.atlas.search import muscle_or_none
from taut.web.charts import embed_svg


def muscle_label(name: str, side: str) -> str:
    return f"{capital(name)}: trigger points and referred pain on the patient's {side} side"


def condition_label(name: str) -> str:
    return f"{name}: referral zones of the muscles to examine, on the patient's right side"


def picture_file(kind: str, ident: str, side: str | None) -> bytes:
    """The SVG file of a muscle's picture on ``side`` or of a condition's combined picture (right side);
    LookupError for an unknown muscle or condition, or a condition picture without muscles."""
    kb = knowledge()
    if kind == "muscle":
        m = kb.muscle(ident)
        if m.slug != ident or side is None:
            raise LookupError(f"no picture of {ident!r}")
        svg = embed_svg(
            muscle_figure(m, Side(side)).to_svg(), id_prefix="mp-", label=muscle_label(m.name, side)
        )
        return str(svg).encode()
    c = kb.condition(ident)
    muscles = [m for m in (muscle_or_none(kb, s.muscle) for s in c.examine) if m is not None]
    if c.id != ident or side is not None or not muscles:
        raise LookupError(f"no picture of {ident!r}")
    svg = embed_svg(
        combined_figure(muscles, Side.RIGHT).to_svg(), id_prefix="cp-", label=condition_label(c.name)
    )
    return str(svg).encode()


def picture_img(name: str, label: str) -> Markup:
    """The ``<img>`` of a picture file (``atlas/muscle-upper_trapezius-right.svg``) with its text alternative."""
    from taut.web.assets import asset

    found = asset(name)
    size = re.search(rb'<svg[^>]*?\bwidth="([0-9.]+)" height="([0-9.]+)"', found.body)
    dims = f' width="{size[1].decode()}" height="{size[2].decode()}"' if size else ""
    return Markup(
        f'<img class="figure-svg" src="{found.url}" alt="{escape(label, quote=True)}"{dims} decoding="async">'
    )
