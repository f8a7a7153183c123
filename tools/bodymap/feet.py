"""Feet: seen from the front (toes towards the viewer), from behind (the heel) and from below (the sole)."""

from __future__ import annotations

from typing import ClassVar

from shapely.geometry import Polygon
from shapely.ops import unary_union

from .shapes import Pt, capsule, smooth

FRONT_FOOT: list[Pt] = [
    (26.5, 724),
    (48, 724),
    (50.5, 738),
    (55.5, 750),
    (57.5, 759),
    (52, 763),
    (22, 763),
    (19.5, 756),
    (22.5, 745),
    (25, 735),
]

# (x, top, bottom, width) of each toe, big toe first.
FRONT_TOES = [
    (25.5, 755.0, 769.0, 10.5),
    (33.8, 757.0, 768.0, 6.6),
    (40.3, 757.0, 767.0, 6.3),
    (46.4, 756.0, 765.5, 5.9),
    (51.8, 754.5, 763.0, 5.4),
]


def front_toes() -> list[Polygon]:
    return [capsule((x, top), (x, bottom), w) for x, top, bottom, w in FRONT_TOES]


def front_foot() -> Polygon:
    return unary_union([smooth(FRONT_FOOT), *front_toes()])


BACK_HEEL: list[Pt] = [
    (26.5, 724),
    (48, 724),
    (49.5, 742),
    (47, 756),
    (41, 763),
    (33, 763),
    (27, 757),
    (24.8, 742),
]


def back_foot() -> Polygon:
    return smooth(BACK_HEEL)


class Sole:
    """A right or left sole seen from below, placed in the back view beside the lower leg.

    Local frame: v runs from the back of the heel (0) to the toes; u is positive towards the outer (little-toe)
    edge. ``mirror`` flips u so that the big toe is towards the body's midline.
    """

    def __init__(self, origin: Pt, scale: float = 1.0, outer_to_plus_x: bool = True) -> None:
        self.origin = origin
        self.scale = scale
        self.sign = 1.0 if outer_to_plus_x else -1.0

    def p(self, u: float, v: float) -> Pt:
        return (self.origin[0] + self.sign * u * self.scale, self.origin[1] + v * self.scale)

    def pts(self, pts: list[Pt]) -> list[Pt]:
        return [self.p(u, v) for u, v in pts]

    OUTLINE: ClassVar[list[Pt]] = [
        (0, 0),
        (11, 3),
        (16.5, 16),
        (17, 35),
        (17.5, 55),
        (20, 72),
        (22, 84),
        (19, 91),
        (-4, 94),
        (-19, 91),
        (-21, 82),
        (-18, 70),
        (-11.5, 52),
        (-13, 34),
        (-15.5, 16),
        (-11, 3),
    ]
    TOES: ClassVar[list[tuple[float, float, float, float]]] = [
        # u, v0, v1, width
        (-13.0, 86.0, 107.0, 13.5),
        (-1.8, 88.0, 104.5, 8.4),
        (6.8, 87.0, 102.5, 7.8),
        (14.2, 85.0, 99.5, 7.2),
        (20.2, 81.0, 95.0, 6.4),
    ]

    def body(self) -> Polygon:
        return smooth(self.pts(self.OUTLINE))

    def toes(self) -> list[Polygon]:
        return [capsule(self.p(u, v0), self.p(u, v1), w * self.scale) for u, v0, v1, w in self.TOES]

    def outline(self) -> Polygon:
        return unary_union([self.body(), *self.toes()])
