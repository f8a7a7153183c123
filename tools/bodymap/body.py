"""The standing figure shared by the front and back views, as its x >= 0 half (x = 0 is the midline).

Units: the head (vertex to chin) is 100 units; the figure stands about 7.6 heads tall, arms slightly away
from the body, palms forward (anatomical position), feet a little apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from shapely.geometry import Polygon, box
from shapely.ops import unary_union

from .shapes import Pt, Tube, capsule, ellipse, smooth, symmetric

HEAD_HALF: list[Pt] = [
    (0, 0),
    (15, 1.6),
    (26.5, 6.5),
    (34, 15),
    (37.5, 27),
    (38.2, 40),
    (37, 53),
    (35, 64),
    (32, 74),
    (27.5, 84),
    (20.5, 92.5),
    (10.5, 98.5),
    (0, 100.5),
]

EAR: list[Pt] = [(35, 44), (39, 39.5), (43.2, 41.5), (44.6, 49), (43.2, 58), (40, 66.5), (36, 68), (34, 62)]

TORSO_HALF: list[Pt] = [
    (0, 80),
    (19, 80),
    (20.2, 100),
    (21, 113),
    (24, 121),
    (33, 126.5),
    (48, 131),
    (62, 135),
    (73, 139.5),
    (82.5, 142.5),
    (89.5, 149),
    (93, 158),
    (88, 176),
    (78, 190),
    (70, 198),
    (67.5, 212),
    (65.5, 236),
    (62, 262),
    (58.5, 287),
    (58.5, 303),
    (62, 324),
    (67.5, 345),
    (71.5, 368),
    (72, 385),
    (60, 398),
    (30, 402),
    (0, 403),
]

ARM = Tube(
    axis=[(78, 143), (90, 215), (99, 283), (109, 336), (119.5, 388)],
    inner=[
        (0, 15),
        (38, 15.5),
        (78, 13.5),
        (118, 12),
        (142, 13),
        (158, 13.5),
        (198, 11.5),
        (233, 8.8),
        (253, 8.2),
    ],
    outer=[
        (0, 1),
        (14, 13.8),
        (28, 15),
        (45, 14.5),
        (68, 12.8),
        (103, 11.8),
        (130, 11.8),
        (144, 12.8),
        (163, 14.2),
        (198, 12.2),
        (233, 9.4),
        (253, 8.8),
    ],
)
ELBOW_A = 144.0
WRIST_A = 249.0

LEG = Tube(
    axis=[(37.5, 355), (34.5, 450), (33, 543), (35, 640), (37, 735)],
    inner=[
        (0, 37),
        (45, 34.5),
        (75, 28),
        (120, 21.5),
        (165, 19),
        (188, 20.5),
        (215, 18.2),
        (250, 18.8),
        (295, 14.5),
        (340, 10.2),
        (365, 11.5),
        (380, 10.5),
    ],
    outer=[
        (0, 29),
        (25, 35),
        (40, 36),
        (90, 30),
        (140, 23),
        (170, 20.5),
        (195, 19.5),
        (215, 19.8),
        (245, 21.6),
        (290, 18),
        (335, 11.8),
        (365, 10.2),
        (380, 10.2),
    ],
)
KNEE_A = 188.0  # the station of the knee joint line
ANKLE_A = 370.0  # the station of the malleoli


@dataclass(frozen=True)
class Hand:
    """A hand in its own frame: origin at the wrist, v along the hand, u towards the thumb (lateral)."""

    origin: Pt
    angle: float  # direction of +v in degrees from straight down, positive towards +x
    scale: float = 1.12

    def to_world(self, u: float, v: float) -> Pt:
        u, v = u * self.scale, v * self.scale
        th = math.radians(self.angle)
        dx, dy = math.sin(th), math.cos(th)  # along the hand
        ux, uy = dy, -dx  # towards +x (lateral)
        return (self.origin[0] + u * ux + v * dx, self.origin[1] + u * uy + v * dy)

    def pts(self, points: list[Pt]) -> list[Pt]:
        return [self.to_world(u, v) for u, v in points]

    def palm(self) -> Polygon:
        return smooth(
            self.pts(
                [
                    (-8.2, -2),
                    (8.8, -2),
                    (12.5, 8),
                    (15, 20),
                    (14.8, 34),
                    (12.6, 44.5),
                    (5, 47.5),
                    (-4, 47),
                    (-12.5, 43),
                    (-15.2, 33),
                    (-14.4, 17),
                    (-11.5, 6),
                ]
            ),
            step=0.8,
        )

    FINGERS = (
        # name, base (u, v), length, angle (deg, + towards the thumb), width
        ("index", (9.2, 40.0), 31.0, 5.0, 6.9),
        ("middle", (2.1, 42.0), 35.0, 0.5, 7.0),
        ("ring", (-5.0, 41.0), 32.0, -4.0, 6.8),
        ("little", (-11.6, 37.5), 25.5, -9.0, 6.0),
    )

    def finger(self, name: str) -> Polygon:
        for n, (u, v), length, ang, width in self.FINGERS:
            if n == name:
                th = math.radians(ang)
                tip = (u + length * math.sin(th), v + length * math.cos(th))
                return capsule(self.to_world(u, v), self.to_world(*tip), width * self.scale)
        raise KeyError(name)

    def thumb(self) -> Polygon:
        return capsule(self.to_world(10.5, 12.0), self.to_world(20.5, 42.0), 8.4 * self.scale)

    def fingers(self) -> list[tuple[str, Polygon]]:
        return [(n, self.finger(n)) for n, *_ in self.FINGERS] + [("thumb", self.thumb())]

    def outline(self) -> Polygon:
        return unary_union([self.palm(), *(f for _, f in self.fingers())])


def _hand() -> Hand:
    pos, nrm = ARM.frame(WRIST_A)
    along = (-nrm[1], nrm[0])  # the outer normal is the along-arm direction turned towards +x
    return Hand(origin=pos, angle=math.degrees(math.atan2(along[0], along[1])) + 2.0)


HAND = _hand()


def head() -> Polygon:
    return symmetric(HEAD_HALF)


def ear() -> Polygon:
    return smooth(EAR, step=0.8)


def torso() -> Polygon:
    return symmetric(TORSO_HALF)


def arm() -> Polygon:
    return ARM.box(0, WRIST_A + 1)


def leg() -> Polygon:
    return LEG.box(0, ANKLE_A + 2)


def body_half(feet: Polygon) -> Polygon:
    """The figure's x >= 0 half: head, neck, trunk, arm, hand and leg, with the given feet."""
    core = unary_union([head(), torso(), arm(), leg(), feet])
    core = core.buffer(3.0, quad_segs=8).buffer(-3.0, quad_segs=8)
    whole = unary_union([core, ear(), HAND.outline()])
    half = whole.intersection(box(0, -10, 400, 900))
    assert isinstance(half, Polygon), type(half)
    return half


def genital_bulge() -> Polygon:
    return ellipse(0, 392, 9.5, 13)
