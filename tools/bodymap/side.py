"""The side view: the head and neck in profile, the patient's right side above and the left side below.

Built as one right profile (face towards +x, head units: vertex to chin = 100), then scaled, and mirrored for
the left profile.
"""

from __future__ import annotations

from shapely import affinity
from shapely.geometry import Polygon, box

from .shapes import Partition, band, curve_poly, ellipse, poly, smooth

PROFILE = [
    (0, 0),
    (14, 1.8),
    (27, 8.5),
    (36.5, 19),
    (41, 30),
    (42.5, 38.5),
    (40.3, 44),
    (43.5, 51.5),
    (48.5, 59),
    (51.5, 64),
    (48.5, 67.3),
    (43, 68),
    (44.6, 72),
    (44.8, 75.2),
    (42.3, 78),
    (43.8, 80.6),
    (41.8, 85.2),
    (39.6, 88),
    (41, 93),
    (39.2, 98),
    (33, 101.6),
    (22, 102.3),
    (13.5, 104.5),
    (9.5, 110),
    (7.8, 124),
    (8.8, 136),
    (12.5, 145),
    (0, 148.5),
    (-22, 150),
    (-44, 147.5),
    (-38, 140),
    (-31.5, 128),
    (-28.5, 112),
    (-27, 98),
    (-30, 87),
    (-37, 77),
    (-42.5, 63),
    (-44.8, 46),
    (-42.3, 29),
    (-35.5, 15),
    (-23, 5),
    (-10.5, 0.6),
]

EAR = [
    (-3, 42.5),
    (2, 44.5),
    (3.3, 52),
    (1.5, 61),
    (-1.5, 69.5),
    (-7.5, 71.5),
    (-12, 64.5),
    (-13.2, 53),
    (-11.5, 44),
    (-7.5, 40.5),
]

SCALE = 2.3
X0 = 47.0  # profile x that maps to the left margin
MARGIN = 22.0
TOP = 44.0
PANEL = 400.0
WIDTH = 280.0
HEIGHT = 800.0


def build_profile() -> Partition:
    outline = smooth(PROFILE, step=0.6)
    ear = smooth(EAR, step=0.6)
    p = Partition(outline)
    p.claim("head.ear", ear)
    p.claim("head.tmj", ellipse(8.0, 57.5, 4.2, 4.8))
    p.claim("head.orbit", ellipse(32.5, 48, 7.2, 5.8, angle=-8))
    p.claim("head.retro_orbital", ellipse(21.8, 48, 4.0, 5.4))
    p.claim("head.eyebrow", band([(24, 40), (32, 38.5), (42, 39.5)], 4.6))
    p.claim(
        "head.nose_side",
        curve_poly([(40.2, 43.5), (43.5, 51.5), (50, 60), (52, 66)], [(43, 68.5), (38.5, 64), (37.5, 53)]),
    )
    p.claim("head.upper_teeth", band([(19.5, 75.2), (30, 75.8), (41, 76)], 4.2))
    p.claim("head.lower_teeth", band([(19.5, 79.5), (30, 80.2), (40.5, 80.4)], 4.2))
    p.claim("head.mouth_back", ellipse(14.3, 77.4, 4.6, 5.4))
    p.claim(
        "head.maxilla",
        curve_poly([(35, 64), (43, 68.2), (47, 72), (47, 77.5)], [(18, 77.5), (17, 71), (22, 66)]),
    )
    p.claim("head.jaw_angle", ellipse(6.8, 94, 7.4, 8.2, angle=30))
    p.claim(
        "head.mandible",
        curve_poly([(10, 77.5), (48, 77.5), (48, 104)], [(33, 101.9), (22, 101.8), (12, 99), (8, 88)]),
    )
    p.claim(
        "head.cheek",
        curve_poly([(17, 52.5), (38, 53), (38, 64), (22, 66)], [(10, 77), (4, 72), (3, 60), (9, 53)]),
    )
    p.claim("head.mastoid", ellipse(-14, 71.5, 5.2, 7.8, angle=10))
    p.claim("head.suboccipital", band([(-48, 72), (-38, 79), (-27, 83), (-15, 82), (-9, 79)], 9.5))
    p.claim("head.temple", curve_poly([(4, 28), (15, 22), (27, 24)], [(30, 41), (20, 53), (8, 52), (3, 44)]))
    p.claim(
        "head.forehead",
        curve_poly([(20, -5), (60, -5), (60, 39)], [(42, 39), (30, 38), (24, 39.5), (28, 24), (16, 14)]),
    )
    p.claim("head.occiput", curve_poly([(-60, 22), (-32, 22), (-23, 38), (-20, 60)], [(-10, 80), (-60, 80)]))
    skull = curve_poly([(-60, -10), (60, -10), (60, 78)], [(12, 99), (2, 98), (-8, 84), (-30, 86), (-60, 80)])
    p.claim("head.parietal", box(-60, -10, 60, 60), skull)
    p.claim("head.cheek", skull)
    p.claim("neck.anterior", poly([(-3.5, 80), (40, 80), (40, 170), (-1.5, 170)]))
    p.claim("neck.lateral", poly([(-17.5, 80), (-3.5, 80), (-1.5, 170), (-21, 170)]))
    p.claim("neck.posterior_upper", box(-60, 80, 0, 118))
    p.claim("neck.posterior_lower", box(-60, 120, 0, 170))
    return p


def place(g: Polygon, left: bool) -> Polygon:
    g = affinity.translate(g, X0, 0)
    g = affinity.scale(g, SCALE, SCALE, origin=(0, 0))
    g = affinity.translate(g, MARGIN, TOP + (PANEL if left else 0))
    if left:
        g = affinity.scale(g, -1.0, 1.0, origin=(WIDTH / 2, 0))
    return g


def build() -> tuple[list[tuple[str, str | None, Polygon]], float, float]:
    half = build_profile().finish()
    out: list[tuple[str, str | None, Polygon]] = []
    for rid, g in half.items():
        out.append((rid, "right", place(g, left=False)))
    for rid, g in half.items():
        out.append((rid, "left", place(g, left=True)))
    return out, WIDTH, HEIGHT


LABELS: list[dict[str, object]] = [
    {"text": "R", "x": 24, "y": 40, "kind": "side", "side": "right"},
    {"text": "Patient's right side", "x": 140, "y": 30, "kind": "caption", "side": "right"},
    {"text": "L", "x": 256, "y": 440, "kind": "side", "side": "left"},
    {"text": "Patient's left side", "x": 140, "y": 430, "kind": "caption", "side": "left"},
]
