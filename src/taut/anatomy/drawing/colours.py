"""Colours of the body map: a sequential scale for pain intensity 0-10 and the neutral tones."""

from __future__ import annotations

import re
from itertools import pairwise

BASE_FILL = "#eef0f3"  # an unpainted region
BASE_STROKE = "#a3abb5"  # the thin line between regions
OUTLINE = "#4b5563"  # the silhouette
INK = "#1f2937"  # text
UNRATED = "#8f7cc4"  # painted, no intensity given: a neutral violet, off the red scale

# Yellow -> orange -> red -> dark red (after ColorBrewer YlOrRd), at intensity 0, 2.5, 5, 7.5 and 10.
_STOPS = (
    (0.0, (255, 240, 160)),
    (2.5, (254, 204, 92)),
    (5.0, (253, 141, 60)),
    (7.5, (227, 26, 28)),
    (10.0, (128, 0, 38)),
)

_COLOUR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\(\s*[\d.]+%?\s*(,\s*[\d.]+%?\s*){2,3}\))$")


def intensity_colour(intensity: int | float | None) -> str:
    """The colour of a pain intensity 0-10 (None: painted but not rated)."""
    if intensity is None:
        return UNRATED
    v = min(10.0, max(0.0, float(intensity)))
    for (x0, c0), (x1, c1) in pairwise(_STOPS):
        if v <= x1:
            f = (v - x0) / (x1 - x0)
            rgb = tuple(round(a + (b - a) * f) for a, b in zip(c0, c1, strict=True))
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return "#{:02x}{:02x}{:02x}".format(*_STOPS[-1][1])


def check_colour(colour: str) -> str:
    """Accept ``#rgb``/``#rrggbb``, a colour name or ``rgb()``; refuse anything else (it goes into SVG)."""
    if not isinstance(colour, str) or not _COLOUR.match(colour.strip()):
        raise ValueError(f"not a colour: {colour!r} (use #rrggbb, a colour name or rgb(...))")
    return colour.strip()
